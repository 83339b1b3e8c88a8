using CeAgent.Mqtt;
using CeAgent.Shared.Cli;
using CeIsp.Collector;
using CeIsp.Config;
using CeIsp.Metrics;
using CeIsp.Store;

namespace CeIsp.Commands;

/// <summary>`ce-isp collect`: subscribe (shared), verify, check the chain, store; retention once a day; metrics if configured.</summary>
internal static class CollectCommand
{
    /// <summary>Unacknowledged messages the broker may hold out to one collector: two batches, one being
    /// verified while the other is stored.</summary>
    private const ushort ReceiveMaximum = 512;

    public static Command Definition { get; } = new("collect", "collect, verify and store CE summaries from the broker",
        $"usage: ce-isp collect [--config PATH] [--client-id ID] [--seconds N]\n  --config     default {IspConfig.DefaultPath}\n  --seconds    stop after N seconds (tests, batch runs)",
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv);
        IspConfig c = IspConfig.Load(args.Get("config") ?? IspConfig.DefaultPath);
        string clientId = args.Get("client-id") ?? c.Broker.ClientId;
        int? seconds = args.GetInt("seconds", 1);
        args.RejectUnknown();
        using SummaryStore store = SummaryStore.Open(c.Store.Kind, c.Store.Target);
        foreach (EnrolledDevice d in c.Devices)
            store.Enroll(new Device(d.CeId, d.Line, d.PublicKeyPem));
        var metrics = new CollectorMetrics();
        var collector = new SummaryCollector(store, c.TrustOnFirstUse)
        {
            NextKeys = c.Devices.Where(d => d.NextPublicKeyPem is not null).ToDictionary(d => d.CeId, d => d.NextPublicKeyPem!),
            BackfillDays = c.RetentionDays,
            Observer = metrics,
        };
        Action<string> log = m => Console.Error.WriteLine("ce-isp collect: " + m);
        using var mqtt = new MqttLink(c.Broker.Settings(clientId) with { ReceiveMaximum = ReceiveMaximum });
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        if (seconds is { } s)
            stop.CancelAfter(TimeSpan.FromSeconds(s));
        MetricsServer? server = c.Metrics is { } listen ? MetricsServer.StartAsync(MetricsEndpoint.Parse(listen), metrics).GetAwaiter().GetResult() : null;
        Console.Error.WriteLine($"ce-isp collect: {c.Store.Kind} store, broker {c.Broker.Host}:{c.Broker.Port}, group {c.Broker.Group}, retention {c.RetentionDays} days"
            + (server is null ? "" : $", metrics on {string.Join(' ', server.Addresses)}/metrics"));
        var retention = new DailyRetention(store, c.RetentionDays, c.AuditLog, log, () => DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        int rc;
        try
        {
            retention.Tick();
            rc = new CollectorSession(mqtt, collector, c.Broker.Group, log) { MaxBatch = ReceiveMaximum / 2, Between = retention.Tick }.RunAsync(stop.Token).GetAwaiter().GetResult();
        }
        finally
        {
            server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        Console.Error.WriteLine("ce-isp collect: " + collector.Describe()
            + (collector.SignedWithNextKey > 0 ? $"; {collector.SignedWithNextKey} signed with a next key (promote it in isp.json)" : ""));
        return rc;
    }
}
