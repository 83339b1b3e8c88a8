using CeAgent.Interop.Mqtt;
using CeAgent.Shared.Cli;
using CeIsp.Collector;
using CeIsp.Config;
using CeIsp.Store;

namespace CeIsp.Commands;

/// <summary>`ce-isp collect`: subscribe (shared), verify, check the chain, store.</summary>
internal static class CollectCommand
{
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
        var collector = new Collector.Collector(store, c.TrustOnFirstUse)
        {
            NextKeys = c.Devices.Where(d => d.NextPublicKeyPem is not null).ToDictionary(d => d.CeId, d => d.NextPublicKeyPem!),
        };
        using var mqtt = new MqttClient(c.Broker.Options(clientId));
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        if (seconds is { } s)
            stop.CancelAfter(TimeSpan.FromSeconds(s));
        Console.Error.WriteLine($"ce-isp collect: {c.Store.Kind} store, broker {c.Broker.Host}:{c.Broker.Port}, group {c.Broker.Group}");
        var pending = new Dictionary<int, string>();
        int rc = 0;
        try
        {
            while (rc == 0 && mqtt.Events.WaitToReadAsync(stop.Token).AsTask().GetAwaiter().GetResult())
                while (rc == 0 && mqtt.Events.TryRead(out MqttEvent? e))
                    rc = Handle(e, mqtt, collector, c.Broker.Group, pending);
        }
        catch (OperationCanceledException)
        {
        }
        Console.Error.WriteLine($"ce-isp collect: stored {collector.Stored}, duplicates {collector.Duplicates}, rejected {collector.RejectedTotal}"
            + string.Concat(collector.Rejections.Select(r => $", {r.Key} {r.Value}"))
            + (collector.SignedWithNextKey > 0 ? $"; {collector.SignedWithNextKey} signed with a next key (promote it in isp.json)" : ""));
        return rc;
    }

    /// <summary>One event; returns non-zero when the collector cannot do its job (the broker refused a subscription).</summary>
    private static int Handle(MqttEvent e, MqttClient mqtt, Collector.Collector collector, string group, Dictionary<int, string> pending)
    {
        switch (e)
        {
            case MqttConnected { ReasonCode: 0 }:
                // Subscribing on every (re)connection is harmless and survives a broker that lost the session.
                foreach (string filter in new[] { $"$share/{group}/ce/v1/+/summary", "ce/v1/+/state" })
                    pending[mqtt.Subscribe(filter)] = filter;
                break;
            case MqttSubscribed s:
                string what = pending.Remove(s.Mid, out string? f) ? f : $"subscription {s.Mid}";
                if (!s.Accepted)
                {
                    // Without its subscription a collector would run and store nothing: stop, loudly.
                    Console.Error.WriteLine($"ce-isp collect: error: the broker refused {what} (reason 0x{s.Granted.Max():x2}; check the broker's ACL for this identity)");
                    return 3;
                }
                Console.Error.WriteLine($"ce-isp collect: subscribed to {what}");
                break;
            case MqttReceived m:
                IngestResult r = collector.Ingest(m.Topic, m.Payload);
                if (r.Outcome == IngestOutcome.Rejected)
                    Console.Error.WriteLine($"ce-isp collect: rejected {r.Reason}");
                else if (r.Outcome == IngestOutcome.Enrolled)
                    Console.Error.WriteLine($"ce-isp collect: enrolled {r.CeId} on first use");
                break;
        }
        return 0;
    }
}
