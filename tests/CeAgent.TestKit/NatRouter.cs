namespace CeAgent.TestKit;

/// <summary>
/// A CE router out of three namespaces: a LAN host (192.168.1.2) behind the CE, which SNATs onto the
/// MAP-E port set that `ce-agent mape --nft` renders (v6plus-like rule, PSID 0x34 of 192.0.2.18), and an
/// upstream host (198.51.100.10) that routes the public address back to the CE.
/// </summary>
public sealed class NatRouter : IDisposable
{
    public static readonly string[] Mape =
        ["--rule6", "2001:db8::/40", "--rule4", "192.0.2.0/24", "--ea-len", "16", "--psid-offset", "4", "--prefix", "2001:db8:12:3400::/56"];
    public const string PublicAddress = "192.0.2.18";
    public const string Upstream = "198.51.100.10";
    public const int Psid = 0x34;

    public NetNs Lan { get; } = new("lan");
    public NetNs Ce { get; } = new("ce");
    public NetNs Up { get; } = new("up");

    public NatRouter()
    {
        NetNs.Link(Lan, "eth0", "192.168.1.2/24", Ce, "lan0", "192.168.1.1/24");
        NetNs.Link(Ce, "wan", "198.51.100.1/24", Up, "eth0", "198.51.100.10/24");
        Lan.Exec("ip route add default via 192.168.1.1");
        Up.Exec($"ip route add {PublicAddress}/32 via 198.51.100.1");
        Ce.Exec("sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_timestamp=1");
        string rules = Programs.Run("ce-agent", ["mape", .. Mape, "--nft", "--wan", "wan"]).EnsureSuccess("mape --nft").Stdout;
        Proc.Run("ip", ["netns", "exec", Ce.Name, "nft", "-f", "-"], stdin: rules).EnsureSuccess("nft -f");
    }

    /// <summary>Starts a program inside the CE namespace.</summary>
    public BackgroundProc StartInCe(string program, params string[] args) => StartInCe(null, program, args);

    public BackgroundProc StartInCe(IDictionary<string, string>? env, string program, params string[] args) =>
        new("ip", ["netns", "exec", Ce.Name, Programs.PathOf(program), .. args], env);

    /// <summary>A TCP listener upstream that holds each connection for a while, for `timeout` seconds.</summary>
    public void ListenUpstream(int port, int seconds = 60) =>
        Up.Exec($"(timeout {seconds} socat TCP-LISTEN:{port},fork,reuseaddr SYSTEM:'sleep 5' >/dev/null 2>&1 &); " +
                $"for i in $(seq 50); do ss -ltn | grep -q :{port} && exit 0; sleep 0.1; done; exit 1");

    /// <summary>conntrack-tools' count of flows the CE's kernel refused (insert_failed, summed over CPUs).</summary>
    public long InsertFailed() =>
        System.Text.RegularExpressions.Regex.Matches(Ce.Exec("conntrack -S").Stdout, @"\binsert_failed=(\d+)")
            .Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>More UDP flows to one destination than the port set has ports: the NAT refuses the rest
    /// (each `echo` opens a socket with a fresh ephemeral source port).</summary>
    public void ExhaustPortSet(int flows = 300) =>
        Lan.Exec($"for i in $(seq {flows}); do echo x > /dev/udp/{Upstream}/9; done", 120_000);

    public void Dispose()
    {
        Up.Dispose();
        Ce.Dispose();
        Lan.Dispose();
    }
}
