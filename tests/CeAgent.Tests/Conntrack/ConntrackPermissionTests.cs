using CeAgent.TestKit;

namespace CeAgent.Tests.Conntrack;

/// <summary>The agent run without CAP_NET_ADMIN (as nobody): the kernel refuses, and the message says what
/// was being done, what it needs and the kernel's reason, with no stack trace.</summary>
public sealed class ConntrackPermissionTests
{
    private static ProcResult AsNobody(params string[] args) =>
        Proc.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Programs.PathOf("ce-agent"), .. args]);

    [RootFact("setpriv")]
    public void Subscribing_without_the_capability_is_a_named_refusal()
    {
        ProcResult r = AsNobody("flows", "--count", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ce-agent flows: subscribing to conntrack events (needs CAP_NET_ADMIN and nf_conntrack_netlink): Operation not permitted (errno 1)", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [RootFact("setpriv")]
    public void Dumping_without_the_capability_is_a_named_refusal()
    {
        ProcResult r = AsNobody("flows", "--dump");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ce-agent flows: dumping the conntrack table: Operation not permitted (errno 1)", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
