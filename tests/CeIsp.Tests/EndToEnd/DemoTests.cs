using CeAgent.TestKit;

namespace CeIsp.Tests.EndToEnd;

/// <summary>
/// The whole system with real parts, as `make demo` runs it: three CEs sharing one IPv4 in namespaces,
/// a border relay routing by port set, `ce-agent run` on each, mosquitto with TLS, `ce-isp collect`, a
/// provider logging without source ports, and `ce-isp resolve` on its log lines.
/// </summary>
public class DemoTests
{
    [RootFact("nft", "conntrack", "mosquitto", "openssl", "socat")]
    public void The_resolver_names_the_right_line_for_each_logged_access()
    {
        string root = Host.RepoRoot;
        Assert.True(File.Exists(Path.Combine(root, "build/bin/ce-agent")), "run make build first");
        ProcResult r = Proc.Run("bash", [Path.Combine(root, "tools/demo.sh")], timeoutMs: 240_000);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var results = r.Stdout.Split('\n').Where(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            .ToDictionary(l => Field(l, "access"), l => l);
        // Two households reached the provider at the same moment: one observation cannot tell them apart.
        Assert.Contains("verdict=ambiguous", results["1"]);
        Assert.Contains("candidates=line-1,line-2,", results["1"]);
        Assert.Contains("verdict=ambiguous", results["2"]);
        // Alone, later, household 1 is unique; and the two observations together name it too.
        Assert.Contains("verdict=unique line=line-1", results["3"]);
        Assert.Contains("verdict=unique line=line-1", results["1+3"]);
        // Nobody contacted that destination.
        Assert.Contains("verdict=none", results["none"]);
        // A time no CE reported: "none" would tell the provider nobody did it.
        Assert.Contains("verdict=unknown", results["unknown"]);
        Assert.Contains("collector rejections: 0", r.Stdout);
    }

    private static string Field(string line, string name) =>
        line.Split(' ').First(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
}
