using System.Globalization;
using CeAgent.Shared.Summary;
using CeAgent.TestKit;
using CeIsp.Resolver;
using CeIsp.Store;
using Xunit.Abstractions;

namespace CeIsp.Tests.Flood;

/// <summary>
/// Issue 19's flood, end to end: a LAN host sends UDP to over 100,000 destinations through the kernel NAT
/// of a namespace CE within seconds; `ce-agent run` carries the window whole in signed parts, mosquitto
/// delivers them, `ce-isp collect` verifies and stores every one, and the resolver finds the CE for one of
/// those accesses and rules it out for a destination it never contacted (only possible with every part).
/// </summary>
public sealed class FloodTests(ITestOutputHelper output) : IDisposable
{
    private const int Destinations = 102_400;
    private const int WindowSeconds = 3600;
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-flood-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Target(int i) => $"198.{18 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}";

    [RootFact("nft", "conntrack", "mosquitto", "openssl", "python3")]
    public void A_window_of_over_100000_destinations_is_stored_whole_and_resolves_to_the_flooding_ce()
    {
        using var r = new NatRouter();
        using var certs = new TestCerts();
        using var broker = new MosquittoBroker(certs, r.Ce);
        r.Ce.Exec("ip route add 198.18.0.0/15 via 198.51.100.10"); // the upstream drops them: NEW flows that die unreplied
        string keyFile = Path.Combine(_dir, "device-key.pem");
        string publicKey = Programs.Run("ce-agent", "key", "--public", "--key", keyFile).EnsureSuccess("key").Stdout;
        string db = Path.Combine(_dir, "summaries.db");
        string isp = IspCollector.WriteConfig(broker, "sqlite", db, "collector", [("ce-0001", "line-1", publicKey)]);
        // The broker listens on the CE namespace's loopback: the collector runs there too.
        using var collector = IspCollector.Start(isp, "c1", ns: r.Ce);

        // All of the flood in one hour-long window: start well before its end.
        long left = WindowSeconds - DateTimeOffset.UtcNow.ToUnixTimeSeconds() % WindowSeconds;
        if (left < 120)
            Thread.Sleep(TimeSpan.FromSeconds(left + 1));
        string config = AgentConfig(broker, keyFile);
        var agent = r.StartInCe("ce-agent", "run", "--config", config);
        Assert.True(agent.WaitForStderr(l => l.Contains("running:", StringComparison.Ordinal), 15_000), agent.Stderr);
        long rssBefore = HighWaterKb(agent.Pid);

        string script = $"""
            import socket, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            t0 = time.time()
            for i in range({Destinations}):
                s.sendto(b'x', ('198.%d.%d.%d' % (18 + (i >> 16), (i >> 8) & 255, i & 255), 53))
            print(t0, time.time())
            """;
        string py = Path.Combine(_dir, "flood.py");
        File.WriteAllText(py, script);
        string[] times = r.Lan.Exec($"python3 {py}", 120_000).Stdout.Trim().Split(' ');
        double t0 = double.Parse(times[0], CultureInfo.InvariantCulture), t1 = double.Parse(times[1], CultureInfo.InvariantCulture);
        Thread.Sleep(3000); // the agent drains the event socket (and resynchronises if it overflowed)
        long rssFlood = HighWaterKb(agent.Pid);
        agent.Signal(15);
        Assert.True(agent.WaitForExit(30_000), "SIGTERM did not stop the agent: " + agent.Stderr);
        Assert.True(agent.ExitCode == 0, agent.Stderr);
        long signed = long.Parse(agent.Stderr.Split("stopped: ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        agent.Dispose();

        using SummaryStore store = SummaryStore.Open("sqlite", db);
        if (!WaitUntil(() => store.Count("messages") >= signed, 30_000))
        {
            // What the broker had not acknowledged before the stop waits in the spool: the next run sends it.
            using var again = r.StartInCe("ce-agent", "run", "--config", config);
            Assert.True(WaitUntil(() => store.Count("messages") >= signed, 60_000), $"{store.Count("messages")} of {signed} messages stored");
            again.Signal(15);
            again.WaitForExit(30_000);
        }
        var (_, summary) = IspCollector.Stop(collector);
        Assert.Contains("rejected 0", summary);

        List<WindowSummary> windows = [.. Enumerable.Range(1, (int)signed)
            .SelectMany(seq => SummaryCodec.Decode(CoseSign1.Parse(store.Message("ce-0001", seq)!).Payload).Windows)];
        long floodWindow = (long)t0 / WindowSeconds * WindowSeconds;
        List<WindowSummary> parts = [.. windows.Where(w => w.StartUnix == floodWindow)];
        int listed = parts.Sum(w => w.Filter.Count);
        output.WriteLine($"flood: {Destinations} UDP destinations in {t1 - t0:F2} s ({Destinations / (t1 - t0):F0} new flows/s) from the LAN host");
        output.WriteLine($"agent: {listed} intervals listed in one window, {parts.Count} parts in {signed} messages " +
            $"({Enumerable.Range(1, (int)signed).Sum(s => store.Message("ce-0001", s)!.Length)} bytes signed); " +
            $"lost events {parts.Sum(w => (long)w.LostEvents)}, resyncs {parts.Sum(w => (long)w.Resyncs)}; " +
            $"peak RSS {rssBefore / 1024.0:F1} MB before the flood, {rssFlood / 1024.0:F1} MB during it");
        Assert.True(listed >= 100_000, $"only {listed} intervals listed in the flood's window");
        Assert.Equal(parts[0].Parts, parts.Count);
        Assert.Equal(Enumerable.Range(0, parts.Count), parts.Select(p => p.Part).Order());
        Assert.All(parts, p => Assert.Equal(0U, p.Unrecorded));

        // One of those accesses, as a provider would log it (no source port, a few seconds' accuracy).
        double mid = (t0 + t1) / 2;
        Verdict v = Resolve(store, Target(77_777), mid, (long)((t1 - t0) / 2 * 1000) + 2000);
        Assert.True(v.Result == VerdictKind.Unique && v.Line == "line-1", v.Explanation);
        Verdict nobody = Resolve(store, "203.0.113.99", mid, (long)((t1 - t0) / 2 * 1000) + 2000);
        Assert.True(nobody.Result == VerdictKind.None, nobody.Explanation);
    }

    private static Verdict Resolve(SummaryStore store, string dst, double unixSeconds, long accuracyMs) =>
        new CeIsp.Resolver.AddressResolver(store, Master).Resolve(new DisclosureRequest
        {
            Requester = "flood test",
            Observations =
            [
                new Observation
                {
                    Ip = NatRouter.PublicAddress, Time = DateTimeOffset.FromUnixTimeMilliseconds((long)(unixSeconds * 1000)),
                    TimeAccuracyMs = accuracyMs, DstIp = dst, DstPort = 53, Proto = "udp",
                },
            ],
        });

    /// <summary>The resolver's master key; the CE gets its own key derived from it (docs/privacy.md).</summary>
    private static readonly byte[] Master = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    private string AgentConfig(MosquittoBroker broker, string keyFile) =>
        AgentConfigFile.Write(_dir, broker, WindowSeconds, 5, Convert.ToHexStringLower(CeAgent.Shared.Secrets.FilterKeys.Derive(Master, "ce-0001", 1)), keyFile, 32 << 20);

    /// <summary>The process's peak resident set (VmHWM), kB.</summary>
    private static long HighWaterKb(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private static bool WaitUntil(Func<bool> condition, int timeoutMs) => AgentConfigFile.WaitUntil(condition, timeoutMs);
}
