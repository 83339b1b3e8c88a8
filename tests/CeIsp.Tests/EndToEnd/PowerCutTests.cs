using System.Globalization;
using System.Text.Json.Nodes;
using CeAgent.TestKit;
using CeIsp.Store;

namespace CeIsp.Tests.EndToEnd;

/// <summary>
/// Issue 19's power cut, end to end: a LAN host talks to one destination for windows on end, `ce-agent run`
/// is killed with SIGKILL while that destination's interval is still open, the flows die with the "power"
/// (their conntrack entries are deleted) and the agent starts again. The interval, open across windows that
/// are already signed, reaches the ISP through the restored snapshot, and `ce-isp resolve` names the CE for
/// an access in a window before the crash's; the window of the crash is declared incomplete, so an access
/// nobody made is answered unknown, not none.
/// </summary>
public sealed class PowerCutTests : IDisposable
{
    private const int WindowSeconds = 10;
    private const string Destination = NatRouter.Upstream;
    private const int Port = 7777;
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-powercut-").FullName;
    private static readonly byte[] Master = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 3))];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RootFact("nft", "conntrack", "mosquitto", "openssl")]
    public void An_interval_open_across_signed_windows_survives_a_kill_and_resolves_to_the_ce()
    {
        using var r = new NatRouter();
        using var certs = new TestCerts();
        using var broker = new MosquittoBroker(certs, r.Ce);
        string keyFile = Path.Combine(_dir, "device-key.pem");
        string publicKey = Programs.Run("ce-agent", "key", "--public", "--key", keyFile).EnsureSuccess("key").Stdout;
        string db = Path.Combine(_dir, "summaries.db");
        string isp = IspCollector.WriteConfig(broker, "sqlite", db, "collector", [("ce-0001", "line-1", publicKey)]);
        // The broker listens on the CE namespace's loopback: the collector runs there too.
        using var collector = IspCollector.Start(isp, "c1", ns: r.Ce);
        string config = AgentConfig(broker, keyFile);

        long opened;
        using (var first = r.StartInCe("ce-agent", "run", "--config", config))
        {
            Assert.True(first.WaitForStderr(l => l.Contains("running:", StringComparison.Ordinal), 30_000), first.Stderr);
            Assert.True(first.Stderr.Contains("open intervals: none saved", StringComparison.Ordinal), first.Stderr);
            // A datagram every half second for two windows, each from a fresh source port: one destination
            // interval that stays open (UDP entries live 30 s) across the windows the agent closes, signs and sends.
            opened = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            r.Lan.Exec($"(timeout {2 * WindowSeconds} bash -c 'while true; do echo x > /dev/udp/{Destination}/{Port}; sleep 0.5; done' >/dev/null 2>&1 &)");
            Thread.Sleep(TimeSpan.FromSeconds(2.5 * WindowSeconds));
            Assert.True(File.Exists(Path.Combine(_dir, "spool", "open")), "no snapshot written at the window closes");
            first.Signal(9);
            Assert.True(first.WaitForExit(10_000));
        }
        // The power goes: the flows (the sender stopped 5 s before the kill, its entries live on for 30 s)
        // die with the conntrack table.
        r.Ce.Exec($"conntrack -D -p udp -d {Destination} >/dev/null 2>&1 || true");

        long signed;
        using (var second = r.StartInCe("ce-agent", "run", "--config", config))
        {
            Assert.True(second.WaitForStderr(l => l.Contains("open intervals: 1 restored", StringComparison.Ordinal), 30_000), second.Stderr);
            Assert.True(second.WaitForStderr(l => l.Contains("running:", StringComparison.Ordinal), 30_000), second.Stderr);
            Thread.Sleep(TimeSpan.FromSeconds(WindowSeconds + 2)); // the reopened window closes and is sent
            second.Signal(15);
            Assert.True(second.WaitForExit(30_000), "SIGTERM did not stop the agent: " + second.Stderr);
            Assert.True(second.ExitCode == 0, second.Stderr);
            signed = long.Parse(second.Stderr.Split("stopped: ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        }
        Assert.False(File.Exists(Path.Combine(_dir, "spool", "open")), "a clean stop leaves a snapshot behind");
        using (SummaryStore store = SummaryStore.Open("sqlite", db))
            Assert.True(WaitUntil(() => store.Count("messages") >= signed, 60_000), $"{store.Count("messages")} of {signed} messages stored");
        var (_, summary) = IspCollector.Stop(collector);
        Assert.Contains("rejected 0", summary);

        // An access three seconds after the flows began: in a window signed before the crash's.
        string access = Resolve(isp, Destination, opened + 3000);
        Assert.StartsWith("verdict: unique -> line-1", access);
        // Nobody contacted this one, but the crash's window (which could list it) is incomplete.
        string nobody = Resolve(isp, "203.0.113.99", opened + 3000);
        Assert.StartsWith("verdict: unknown", nobody);
    }

    private string Resolve(string collectorConfig, string dst, long atMs)
    {
        JsonNode c = JsonNode.Parse(File.ReadAllText(collectorConfig))!;
        c["masterKey"] = Convert.ToHexString(Master);
        c["auditLog"] = Path.Combine(_dir, "audit.jsonl");
        string config = Path.Combine(_dir, "resolver.json");
        File.WriteAllText(config, c.ToJsonString());
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the master key
        string request = Path.Combine(_dir, "request.json");
        string time = DateTimeOffset.FromUnixTimeMilliseconds(atMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        File.WriteAllText(request, $$"""{"requester":"power cut test","observations":[{"ip":"{{NatRouter.PublicAddress}}","time":"{{time}}","timeAccuracyMs":1000,"dstIp":"{{dst}}","dstPort":{{Port}},"proto":"udp"}]}""");
        return Programs.Run("ce-isp", "resolve", "--request", request, "--config", config).EnsureSuccess("resolve").Stdout;
    }

    private string AgentConfig(MosquittoBroker broker, string keyFile) =>
        AgentConfigFile.Write(_dir, broker, WindowSeconds, 1, Convert.ToHexStringLower(CeAgent.Shared.Secrets.FilterKeys.Derive(Master, "ce-0001", 1)), keyFile, 1 << 20);

    private static bool WaitUntil(Func<bool> condition, int timeoutMs) => AgentConfigFile.WaitUntil(condition, timeoutMs);
}
