namespace CeAgent.TestKit;

/// <summary>
/// A network namespace that exists for one test. Names carry a per-process prefix so parallel runs and
/// leftovers from a killed run never collide; Dispose deletes the namespace (and with it its veth ends).
/// </summary>
public sealed class NetNs : IDisposable
{
    private static int s_counter;
    public string Name { get; }

    public NetNs(string role)
    {
        Name = $"ce{Environment.ProcessId % 100000}{role}{Interlocked.Increment(ref s_counter)}";
        Proc.Run("ip", "netns", "add", Name).EnsureSuccess($"ip netns add {Name}");
        Exec("ip link set lo up");
    }

    /// <summary>Runs a bash command inside the namespace and fails the test if it fails.</summary>
    public ProcResult Exec(string script, int timeoutMs = 60_000) =>
        Proc.Run("ip", ["netns", "exec", Name, "/bin/bash", "-c", script], timeoutMs: timeoutMs).EnsureSuccess($"[{Name}] {script}");

    /// <summary>Runs a bash command inside the namespace and returns whatever happened.</summary>
    public ProcResult TryExec(string script, int timeoutMs = 60_000) =>
        Proc.Run("ip", ["netns", "exec", Name, "/bin/bash", "-c", script], timeoutMs: timeoutMs);

    /// <summary>Links two namespaces with a veth pair and gives each end an address (CIDR notation).</summary>
    public static void Link(NetNs a, string aIf, string aAddr, NetNs b, string bIf, string bAddr)
    {
        string tmpA = $"v{Environment.ProcessId % 100000}a{Interlocked.Increment(ref s_counter)}";
        string tmpB = $"v{Environment.ProcessId % 100000}b{Interlocked.Increment(ref s_counter)}";
        Proc.Run("ip", "link", "add", tmpA, "type", "veth", "peer", "name", tmpB).EnsureSuccess("ip link add veth");
        Proc.Run("ip", "link", "set", tmpA, "netns", a.Name, "name", aIf).EnsureSuccess("move veth a");
        Proc.Run("ip", "link", "set", tmpB, "netns", b.Name, "name", bIf).EnsureSuccess("move veth b");
        a.Exec($"ip addr add {aAddr} dev {aIf} && ip link set {aIf} up");
        b.Exec($"ip addr add {bAddr} dev {bIf} && ip link set {bIf} up");
    }

    public void Dispose() => Proc.Run("ip", "netns", "del", Name);
}
