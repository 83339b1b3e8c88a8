using System.Security.Cryptography;
using CeAgent.Aggregation;
using CeAgent.Clock;
using CeAgent.Config;
using CeAgent.Conntrack;
using CeAgent.Mqtt;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeAgent.Spool;
using CeAgent.Transport;

namespace CeAgent.Service;

/// <summary>
/// The CE's data path, stage by stage, as <see cref="Build"/> wires it:
/// conntrack events (<see cref="Events"/>) -> the flow table (<see cref="Flows"/>) -> windows
/// (<see cref="Windows"/>) -> signed messages (<see cref="Signer"/>) -> the spool (<see cref="Spool"/>)
/// -> MQTT (<see cref="Publisher"/>). Each stage has one job and knows only the next; <see cref="AgentLoop"/>
/// drives them on one thread. Built in the order that loses nothing: the spool and the journal first (the
/// chain continues from them), then the subscription, then the dump.
/// </summary>
public sealed class AgentPipeline : IDisposable
{
    public required MapeParams Mape { get; init; }
    public required ClockMonitor Clock { get; init; }
    /// <summary>The clock's quality when the pipeline was built (the state message and the first window carry it).</summary>
    public required ClockQuality StartClock { get; init; }
    public required ConntrackFeed Events { get; init; }
    public required FlowTracker Flows { get; init; }
    public required WindowAggregator Windows { get; init; }
    public required SummaryEmitter Signer { get; init; }
    public required DurableSpool Spool { get; init; }
    public required SpoolPublisher Publisher { get; init; }
    /// <summary>The windows' open intervals on flash, so a crash loses at most the open window.</summary>
    public required OpenIntervalJournal OpenIntervals { get; init; }
    /// <summary>The NAT's refusals (conntrack's insert_failed); null where the kernel will not tell.</summary>
    public RefusalCounter? Refusals { get; init; }
    private readonly List<IDisposable> _owned = [];

    /// <summary>Everything up to the broker link, whose connection the publisher then attempts (and retries) from
    /// the loop: once this returns, the agent is ready (READY=1); if it throws, it never was.</summary>
    /// <param name="log">(level, message): level is "info", "warning" or "error".</param>
    public static AgentPipeline Build(AgentConfig config, Action<string, string> log)
    {
        (MapeParams mape, byte[] filterKey) = config.Validate();
        string id = config.CeId!;
        var owned = new List<IDisposable>();
        try
        {
            var (spool, key, signer) = OpenSigner(config, mape, log, owned);
            var clock = new ClockMonitor(new KernelClock(), Devices.Detect(), () => NtpSignal.TryRead(config.NtpSignal, m => log("warning", m)));
            ClockQuality quality = clock.Update().Quality;
            var windows = new WindowAggregator(mape.Ports, filterKey, config.WindowSeconds);
            windows.SetClock(quality);
            var openIntervals = new OpenIntervalJournal(config.Spool.Dir);
            bool reopened = openIntervals.Restore(windows, ToUtcMs(clock, Rfc3339.NowUnixNs()), ClosedThrough(spool, signer),
                m => log("info", m), m => log("warning", m));
            var flows = new FlowTracker(mape.Ipv4Bits, mape.Ports, new AggregatorSink(windows, ns => ToUtcMs(clock, ns)));
            var (events, refusals) = Subscribe(config, flows, reopened, log, owned);
            windows.EndRestored();

            var mqtt = Own(owned, new MqttLink(config.Broker.Settings(id) with
            {
                WillTopic = $"ce/v1/{id}/state",
                WillPayload = StateMessage.Payload(online: false, id, mape, quality, key),
            }));
            var publisher = new SpoolPublisher(spool, mqtt, $"ce/v1/{id}/summary",
                new RetainedState($"ce/v1/{id}/state", StateMessage.Payload(online: true, id, mape, quality, key)));
            log("info", $"running: {mape.Ipv4} PSID {mape.Psid}, {mape.Ports.Count} ports, {config.WindowSeconds} s windows, broker {config.Broker.Host}:{config.Broker.Port}");
            var pipeline = new AgentPipeline
            {
                Mape = mape, Clock = clock, StartClock = quality, Events = events, Flows = flows, Windows = windows, Signer = signer, Spool = spool,
                Publisher = publisher, OpenIntervals = openIntervals, Refusals = refusals,
            };
            // Disposed in reverse: the broker link before the subscription, the spool, then the key.
            owned.Reverse();
            pipeline._owned.AddRange(owned);
            return pipeline;
        }
        catch
        {
            owned.Reverse();
            owned.ForEach(o => o.Dispose());
            throw;
        }
    }

    /// <summary>The spool, the device key and the signer, with the closed windows the journal kept.</summary>
    private static (DurableSpool, ECDsa, SummaryEmitter) OpenSigner(AgentConfig config, MapeParams mape, Action<string, string> log, List<IDisposable> owned)
    {
        string id = config.CeId!;
        var spool = Own(owned, new DurableSpool(config.Spool.Dir, config.Spool.MaxBytes));
        foreach (string p in spool.OpenReport.Problems)
            log("warning", "spool: " + p);
        log("info", $"spool: {spool.OpenReport.Records} messages found, {spool.PendingCount} not yet acknowledged");
        ECDsa key = Own(owned, Signing.DeviceKey.LoadOrCreate(config.KeyFile));
        var signer = new SummaryEmitter(id, MapeContext.From(mape), key, spool, config.BatchWindows, config.FilterKeyEpoch!.Value,
            new BatchJournal(config.Spool.Dir, id, MapeContext.From(mape)));
        if (signer.RestoreJournal(m => log("warning", m)) is var restored and > 0)
            log("info", $"batch journal: {restored} closed window(s) from before the restart restored");
        return (spool, key, signer);
    }

    /// <summary>Start of the newest window already closed, signed or journaled (long.MinValue: none).</summary>
    private static long ClosedThrough(DurableSpool spool, SummaryEmitter signer) =>
        Math.Max(BatchJournal.LastWindowStart(spool.Newest), signer.Batched.Count > 0 ? signer.Batched.Max(w => w.StartUnix) : long.MinValue);

    /// <summary>Subscribes to conntrack events, then dumps the table into the tracker: nothing falls between.
    /// After a restore the dump goes oldest first (<see cref="ConntrackFeed.Start"/>).</summary>
    private static (ConntrackFeed, RefusalCounter?) Subscribe(AgentConfig config, FlowTracker flows, bool restored, Action<string, string> log, List<IDisposable> owned)
    {
        if (!ConntrackSource.EnableTimestamps())
            log("warning", "cannot turn on net.netfilter.nf_conntrack_timestamp: flow times are when events were read");
        var source = Own(owned, new ConntrackSource(config.ReceiveBuffer));
        // Where the kernel will not tell, the windows carry no exhaustion count rather than a wrong one.
        RefusalCounter? refusals = null;
        if (ConntrackSource.TryStats(out Interop.CtStats stats, out string? statsError))
            refusals = new RefusalCounter(stats.InsertFailed);
        else
            log("warning", statsError + ": port-set exhaustion will not be counted");
        var events = new ConntrackFeed(source, flows, Rfc3339.NowUnixNs);
        events.Start(oldestFirst: restored);
        return (events, refusals);
    }

    private static T Own<T>(List<IDisposable> owned, T item) where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    /// <summary>The kernel's realtime nanoseconds as corrected UTC milliseconds (the windows' time).</summary>
    public long UtcMs(long realtimeNs) => ToUtcMs(Clock, realtimeNs);

    private static long ToUtcMs(ClockMonitor clock, long realtimeNs) => clock.ToUtc(clock.ToBoottime(realtimeNs)).UtcNs / 1_000_000;

    public void Dispose() => _owned.ForEach(o => o.Dispose());
}
