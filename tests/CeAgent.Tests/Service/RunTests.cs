using System.Security.Cryptography;
using System.Text.Json;
using CeAgent.Shared.Summary;
using CeAgent.TestKit;

namespace CeAgent.Tests.Service;

/// <summary>`ce-agent run` end to end in a namespace router: real conntrack, a real broker, real kills.</summary>
public sealed class RunTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ce-run-" + Guid.NewGuid().ToString("N")[..10]);

    public RunTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(MosquittoBroker broker, int window = 1, int batch = 1)
    {
        var (cert, key) = broker.Certs.Client("ce-0001");
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ceId"] = "ce-0001",
            ["mape"] = new Dictionary<string, object> { ["rule6"] = "2001:db8::/40", ["rule4"] = "192.0.2.0/24", ["eaLength"] = 16, ["psidOffset"] = 4, ["prefix"] = "2001:db8:12:3400::/56" },
            ["windowSeconds"] = window,
            ["batchWindows"] = batch,
            ["closeDelaySeconds"] = 0,
            ["spool"] = new Dictionary<string, object> { ["dir"] = Path.Combine(_dir, "spool"), ["maxBytes"] = 1 << 20 },
            ["broker"] = new Dictionary<string, object> { ["host"] = "127.0.0.1", ["port"] = broker.Port, ["caFile"] = broker.Certs.CaCert, ["certFile"] = cert, ["keyFile"] = key },
            ["filterKey"] = "000102030405060708090a0b0c0d0e0f",
            ["filterKeyEpoch"] = 1,
            ["keyFile"] = Path.Combine(_dir, "device-key.pem"),
        }));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the filter key
        return path;
    }

    private static List<byte[]> Received(BackgroundProc sub) =>
        [.. sub.Lines.Where(l => l.Length > 0).Select(Convert.FromHexString)];

    [RootFact("nft", "conntrack", "mosquitto", "mosquitto_sub", "openssl")]
    public void Killed_twenty_times_while_publishing_it_loses_nothing_it_stored()
    {
        using var r = new NatRouter();
        using var certs = new TestCerts();
        using var broker = new MosquittoBroker(certs, r.Ce);
        using var sub = broker.Subscribe("ce/v1/+/summary");
        string config = Config(broker);
        r.Lan.Exec("(timeout 120 bash -c 'while true; do echo x > /dev/udp/198.51.100.10/$((RANDOM % 2000 + 20000)); sleep 0.03; done' >/dev/null 2>&1 &)");
        var rng = new Random(20261125);
        for (int kill = 0; kill < 20; kill++)
        {
            using var agent = r.StartInCe("ce-agent", "run", "--config", config);
            Thread.Sleep(rng.Next(700, 2500));
            agent.Signal(9);
            Assert.True(agent.WaitForExit(5000));
            Assert.NotEqual(0, agent.ExitCode);
        }
        using (var last = r.StartInCe("ce-agent", "run", "--config", config))
        {
            Thread.Sleep(4000);
            last.Signal(15);
            Assert.True(last.WaitForExit(8000), "SIGTERM did not stop the agent within 8 s");
            Assert.True(last.ExitCode == 0, last.Stderr);
            Assert.Contains("stopped:", last.Stderr);
        }

        // Everything the spool stored (ever) reached the collector: sequences 1..max without a gap,
        // each verified under the device key and chained to the one before.
        using ECDsa pub = ECDsa.Create();
        pub.ImportFromPem(Programs.Run("ce-agent", "key", "--public", "--key", Path.Combine(_dir, "device-key.pem")).EnsureSuccess("key").Stdout);
        Dictionary<ulong, byte[]> bySeq = [];
        Assert.True(WaitUntil(() =>
        {
            bySeq = [];
            foreach (byte[] m in Received(sub))
            {
                // At least once: a repeat (after a kill, before the ack was recorded) must be the same message.
                ulong seq = SummaryCodec.Decode(CoseSign1.Parse(m).Payload).Seq;
                if (bySeq.TryGetValue(seq, out byte[]? seen))
                    Assert.Equal(seen, m);
                bySeq[seq] = m;
            }
            return bySeq.Count > 0 && bySeq.Count == (int)bySeq.Keys.Max();
        }, 20_000), $"received sequences: {string.Join(',', bySeq.Keys.Order())}");
        ulong max = bySeq.Keys.Max();
        Assert.True(max >= 20, $"only {max} messages in ~40 s of windows");
        for (ulong s = 1; s <= max; s++)
        {
            CoseMessage cose = CoseSign1.Parse(bySeq[s]);
            Assert.True(CoseSign1.Verify(cose, pub), $"message {s} does not verify");
            SummaryMessage m = SummaryCodec.Decode(cose.Payload);
            Assert.Equal(s == 1 ? [] : SummaryChain.Hash(bySeq[s - 1]), m.PrevHash);
            Assert.All(m.Windows, w => Assert.Equal(1u, w.LengthSeconds));
        }
        // Nothing the agent reported stored is missing: every spool file's records were received.
        foreach (string seg in Directory.GetFiles(Path.Combine(_dir, "spool"), "*.seg"))
        {
            byte[] data = File.ReadAllBytes(seg);
            for (int at = 0; CeAgent.Spool.SpoolFrame.TryRead(data.AsSpan(at), out int size) is { } rec; at += size)
                Assert.Equal(rec.Payload, bySeq[rec.Seq]);
        }
    }

    [RootFact("nft", "conntrack", "mosquitto", "mosquitto_sub", "openssl")]
    public void The_windows_carry_the_flows_the_nat_refused_for_want_of_a_free_port()
    {
        using var r = new NatRouter();
        using var certs = new TestCerts();
        using var broker = new MosquittoBroker(certs, r.Ce);
        using var sub = broker.Subscribe("ce/v1/+/summary");
        using var agent = r.StartInCe("ce-agent", "run", "--config", Config(broker, window: 2));
        Assert.True(WaitUntil(() => agent.Stderr.Contains("running:"), 15_000), agent.Stderr);
        long before = r.InsertFailed();
        r.ExhaustPortSet(300);
        long kernel = r.InsertFailed() - before;
        Thread.Sleep(2500); // the agent reads the counter once a second
        agent.Signal(15);
        Assert.True(agent.WaitForExit(8000), "SIGTERM did not stop the agent");

        List<WindowSummary> windows = [];
        Assert.True(WaitUntil(() =>
        {
            windows = [.. Received(sub).SelectMany(m => SummaryCodec.Decode(CoseSign1.Parse(m).Payload).Windows)];
            return windows.Sum(w => (long)w.Exhausted) >= kernel;
        }, 10_000), $"windows counted {windows.Sum(w => (long)w.Exhausted)} refusals, the kernel {kernel}");
        Assert.True(kernel >= 40, $"the kernel refused only {kernel} of 300 flows for 240 ports");
        Assert.Equal(kernel, windows.Sum(w => (long)w.Exhausted));
        // The window of the burst shows the whole set in use.
        Assert.Contains(windows, w => w.Protocols.Any(p => p.Proto == Proto.Udp && p.PeakPorts == 240
            && p.PortBitmap.Sum(b => System.Numerics.BitOperations.PopCount(b)) == 240));
    }

    [RootFact("nft", "conntrack", "mosquitto", "openssl")]
    public void Under_systemd_it_notifies_ready_status_watchdog_and_stopping()
    {
        using var r = new NatRouter();
        using var certs = new TestCerts();
        using var broker = new MosquittoBroker(certs, r.Ce);
        using var notify = new NotifySocket(Path.Combine(_dir, "notify.sock"));
        var env = new Dictionary<string, string>(notify.Environment()) { ["WATCHDOG_USEC"] = "1000000", ["JOURNAL_STREAM"] = "8:1234" };
        using var agent = r.StartInCe(env, "ce-agent", "run", "--config", Config(broker, window: 2));
        Assert.True(WaitUntil(() => notify.Messages.Any(m => m.StartsWith("READY=1", StringComparison.Ordinal)), 15_000), agent.Stderr);
        // READY=1 comes once the pipeline is up, the broker connection queued, and says so just before.
        var ready = notify.Messages.ToList();
        Assert.Equal("STATUS=conntrack subscribed, spool open, broker connection queued", ready[ready.IndexOf("READY=1") - 1]);
        Assert.True(WaitUntil(() => notify.Messages.Count(m => m == "WATCHDOG=1") >= 3, 10_000), "watchdog not fed at half of WATCHDOG_USEC");
        Assert.True(WaitUntil(() => notify.Messages.Any(m => m == "STATUS=publishing; clock not synchronised" || m == "STATUS=publishing"), 15_000),
            string.Join(" | ", notify.Messages));
        agent.Signal(15);
        Assert.True(agent.WaitForExit(8000));
        Assert.Equal(0, agent.ExitCode);
        Assert.True(WaitUntil(() => notify.Messages.Contains("STOPPING=1"), 5000), string.Join(" | ", notify.Messages));
        Assert.Contains("<6>ce-agent[0] running:", agent.Stderr); // Hosting.Systemd's journald format: priority, category
        Assert.Equal(1, notify.Messages.Count(m => m == "READY=1"));
    }

    private static bool WaitUntil(Func<bool> condition, int timeoutMs)
    {
        for (var sw = System.Diagnostics.Stopwatch.StartNew(); sw.ElapsedMilliseconds < timeoutMs; Thread.Sleep(200))
            if (condition())
                return true;
        return condition();
    }
}
