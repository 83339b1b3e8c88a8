using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CeAgent.TestKit;
using CeIsp.Collector;
using CeIsp.Metrics;
using CeIsp.Store;

namespace CeIsp.Tests.Collector;

/// <summary>
/// The collector's Prometheus metrics: the text as rendered from what was stored, and `ce-isp collect`
/// serving it over HTTP after real messages went through a real mosquitto, scraped with HttpClient.
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private readonly TestCerts _certs = new();
    private readonly Scenario.Ce _ce = Scenario.NewCe("ce-m", 3);

    public MetricsTests() =>
        Scenario.Flows(_ce, [.. Enumerable.Range(0, 6).Select(i => (i % 4, Scenario.D1, i * 60 + 5, i * 60 + 9))]);

    public void Dispose()
    {
        _ce.Key.Dispose();
        _certs.Dispose();
    }

    /// <summary>name{labels} value lines of an exposition, by series.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var series = new Dictionary<string, double>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches(@"^# (HELP|TYPE) ce_isp_[a-z_]+ .+$", line);
                continue;
            }
            int space = line.LastIndexOf(' ');
            series.Add(line[..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }
        return series;
    }

    [Fact]
    public void The_exposition_counts_what_the_batches_came_to()
    {
        var m = new CollectorMetrics();
        StoredMessage Msg(string ce, long end) => new(ce, 1, [], [], [], end - 60, end, []);
        IngestResult[] results =
        [
            new(IngestOutcome.Stored, null, "ce-1", 1), new(IngestOutcome.Stored, null, "ce-2", 1), new(IngestOutcome.Duplicate, null, "ce-1", 1),
            new(IngestOutcome.Rejected, "bad-signature: x"), new(IngestOutcome.Rejected, "bad-signature: y"), new(IngestOutcome.Rejected, "malformed: z"),
        ];
        StoredMessage[] messages = [Msg("ce-1", 1000), Msg("ce-2", 990), Msg("ce-1", 1000)];
        var store = new BatchResult([StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.Duplicate],
            [new ChainEvent("ce-1", 4, ChainEventKind.Gap, 0, 1), new ChainEvent("ce-2", 2, ChainEventKind.Break, 0, 1)]);
        m.Stored(results, messages, store, TimeSpan.FromMilliseconds(3), 1004);
        var s = Parse(m.Render(1004));
        Assert.Equal(2, s["ce_isp_messages_total{outcome=\"stored\"}"]);
        Assert.Equal(1, s["ce_isp_messages_total{outcome=\"duplicate\"}"]);
        Assert.Equal(0, s["ce_isp_messages_total{outcome=\"fork\"}"]);
        Assert.Equal(2, s["ce_isp_messages_rejected_total{reason=\"bad-signature\"}"]);
        Assert.Equal(1, s["ce_isp_messages_rejected_total{reason=\"malformed\"}"]);
        Assert.Equal((1, 1, 0), (s["ce_isp_chain_events_total{kind=\"gap\"}"], s["ce_isp_chain_events_total{kind=\"break\"}"], s["ce_isp_chain_events_total{kind=\"fork\"}"]));
        Assert.Equal(1, s["ce_isp_store_commit_seconds_count"]);
        Assert.Equal(0, s["ce_isp_store_commit_seconds_bucket{le=\"0.0025\"}"]);
        Assert.Equal(1, s["ce_isp_store_commit_seconds_bucket{le=\"0.005\"}"]);
        // Lags of 4 s and 14 s (stored ones only).
        Assert.Equal(2, s["ce_isp_delivery_lag_seconds_count"]);
        Assert.Equal(18, s["ce_isp_delivery_lag_seconds_sum"]);
        Assert.Equal((1, 2), (s["ce_isp_delivery_lag_seconds_bucket{le=\"5\"}"], s["ce_isp_delivery_lag_seconds_bucket{le=\"15\"}"]));
        Assert.Equal(2, s["ce_isp_ces_seen_last_hour"]);
        Assert.Equal(0, Parse(m.Render(1004 + 3601))["ce_isp_ces_seen_last_hour"]);
    }

    [Theory]
    [InlineData("127.0.0.1:9464", null)]
    [InlineData("[::1]:9464", null)]
    [InlineData("localhost:9464", "is not ADDR:PORT")]
    [InlineData("127.0.0.1", "is not ADDR:PORT")]
    [InlineData("127.0.0.1:70000", "is not ADDR:PORT")]
    [InlineData("", "is not ADDR:PORT")]
    public void The_listen_address_is_checked_with_the_reason(string listen, string? problem)
    {
        if (problem is null)
            Assert.Null(MetricsEndpoint.Problem(listen));
        else
            Assert.Contains(problem, MetricsEndpoint.Problem(listen));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [RootFact("mosquitto", "openssl")]
    public void Collect_serves_metrics_that_match_what_was_sent()
    {
        using var broker = new MosquittoBroker(_certs);
        int port = FreePort();
        string config = IspCollector.WriteConfig(broker, "sqlite", Path.Combine(_certs.Dir, "m.db"), "collector",
            [(_ce.Id, "line-m", _ce.Key.ExportSubjectPublicKeyInfoPem())], j => j["metrics"] = $"127.0.0.1:{port}");
        using var collector = IspCollector.Start(config, "collector-1");
        byte[] forged = [.. _ce.Messages[5]];
        forged[^1] ^= 1; // the signature's last byte
        // Messages 1-3, a repeat of 1, a forged one, 5 and 6: 4 is lost (a gap).
        broker.PublishAll(_ce.Id, $"ce/v1/{_ce.Id}/summary", [.. _ce.Messages.Take(3), _ce.Messages[0], forged, _ce.Messages[4], _ce.Messages[5]]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Dictionary<string, double> s = [];
        for (int i = 0; i < 100; i++)
        {
            s = Parse(http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult());
            if (s.Values.Sum() > 0 && s["ce_isp_messages_total{outcome=\"stored\"}"] + s["ce_isp_messages_total{outcome=\"duplicate\"}"]
                + s.Where(x => x.Key.StartsWith("ce_isp_messages_rejected_total", StringComparison.Ordinal)).Sum(x => x.Value) >= 7)
                break;
            Thread.Sleep(200);
        }
        IspCollector.Stop(collector);
        Assert.Equal(5, s["ce_isp_messages_total{outcome=\"stored\"}"]);
        Assert.Equal(1, s["ce_isp_messages_total{outcome=\"duplicate\"}"]);
        Assert.Equal(1, s["ce_isp_messages_rejected_total{reason=\"bad-signature\"}"]);
        Assert.Equal(1, s["ce_isp_chain_events_total{kind=\"gap\"}"]);
        Assert.Equal(0, s["ce_isp_chain_events_total{kind=\"break\"}"]);
        Assert.Equal(1, s["ce_isp_ces_seen_last_hour"]);
        Assert.Equal(5, s["ce_isp_delivery_lag_seconds_count"]);
        Assert.True(s["ce_isp_store_commit_seconds_count"] >= 1);
        // The scenario's windows are days old: every lag is over a day.
        Assert.Equal(0, s["ce_isp_delivery_lag_seconds_bucket{le=\"86400\"}"]);
    }
}
