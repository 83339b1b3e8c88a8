using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
/// The CE pipeline on one thread: conntrack events -> tracker -> windows -> signed messages -> spool ->
/// MQTT. One thread keeps the order of events simple and needs no locks; MQTTnet's own threads only
/// complete the tasks that the publisher looks at from this one.
/// </summary>
public sealed class AgentLoop : IDisposable
{
    private readonly AgentConfig _config;
    private readonly MapeParams _mape;
    private readonly Action<string, string> _log;
    private readonly ClockMonitor _clock;
    private readonly WindowAggregator _aggregator;
    private readonly FlowTracker _tracker;
    private readonly DurableSpool _spool;
    private readonly SummaryEmitter _emitter;
    private readonly ECDsa _key;
    private readonly MqttLink _mqtt;
    private readonly SpoolPublisher _publisher;
    private readonly ConntrackSource _conntrack;
    private readonly RefusalCounter? _refusals;
    private long _refusingUntil;
    /// <summary>How long the health shows the port set as exhausted after the kernel refused a flow.</summary>
    public const int RefusalHoldMs = 60_000;
    private readonly Interop.FileDescriptorHandle _stepWatch;
    private ClockStatus _clockStatus;
    private long _nextSweep;
    private readonly ServiceStatus _notify;
    private readonly Leds.LedDriver? _leds;
    private string? _lastStatus;
    /// <summary>How often the table is dumped to close flows the kernel expired but has not yet destroyed.</summary>
    public const int SweepMs = 5000;
    private readonly BatchJournal _journal;
    private (long Messages, int Windows) _journaled = (-1, -1);
    private readonly OpenIntervalJournal _openIntervals;

    public Health Health { get; private set; }
    /// <summary>Set after the conntrack subscription and the spool are open (AgentService then lets the host send READY=1).</summary>
    public bool Ready { get; private set; }
    public long Iterations { get; private set; }

    /// <param name="log">(level, message): level is "info", "warning" or "error".</param>
    public AgentLoop(AgentConfig config, Action<string, string> log, ServiceStatus notify, Leds.LedDriver? leds = null)
    {
        _config = config;
        _log = log;
        _notify = notify;
        _leds = leds;
        _leds?.Show(HealthState.Starting);
        (_mape, byte[] filterKey) = config.Validate();
        _spool = new DurableSpool(config.Spool.Dir, config.Spool.MaxBytes);
        foreach (string p in _spool.OpenReport.Problems)
            log("warning", "spool: " + p);
        log("info", $"spool: {_spool.OpenReport.Records} messages found, {_spool.PendingCount} not yet acknowledged");
        _key = Signing.DeviceKey.LoadOrCreate(config.KeyFile);
        _emitter = new SummaryEmitter(config.CeId!, MapeContext.From(_mape), _key, _spool, config.BatchWindows, config.FilterKeyEpoch!.Value);
        _journal = new BatchJournal(config.Spool.Dir, config.CeId!, MapeContext.From(_mape));
        var restored = _journal.Restore(BatchJournal.LastWindowStart(_spool.Newest), m => log("warning", m));
        foreach (WindowSummary w in restored)
            _emitter.Add(w);
        if (restored.Count > 0)
            log("info", $"batch journal: {restored.Count} closed window(s) from before the restart restored");
        JournalBatch();
        _clock = new ClockMonitor(new KernelClock(), Devices.Detect(), () => NtpSignal.TryRead(config.NtpSignal, m => log("warning", m)));
        _clockStatus = _clock.Update();
        _stepWatch = Interop.TimeApi.CreateStepWatch();
        _aggregator = new WindowAggregator(_mape.Ports, filterKey, config.WindowSeconds);
        _aggregator.SetClock(_clockStatus.Quality);
        _openIntervals = new OpenIntervalJournal(config.Spool.Dir);
        bool reopened = _openIntervals.Restore(_aggregator, UtcMs(Rfc3339.NowUnixNs()),
            Math.Max(BatchJournal.LastWindowStart(_spool.Newest), _emitter.Batched.Count > 0 ? _emitter.Batched.Max(w => w.StartUnix) : long.MinValue),
            m => log("info", m), m => log("warning", m));
        _tracker = new FlowTracker(_mape.Ipv4Bits, _mape.Ports, new Sink(this));
        if (!ConntrackSource.EnableTimestamps())
            log("warning", "cannot turn on net.netfilter.nf_conntrack_timestamp: flow times are when events were read");
        // Subscribe first, then dump: nothing falls between the two, and the tracker drops repeats.
        _conntrack = new ConntrackSource(config.ReceiveBuffer);
        // Where the kernel will not tell, the windows carry no exhaustion count rather than a wrong one.
        if (ConntrackSource.TryStats(out Interop.CtStats stats, out string? statsError))
            _refusals = new RefusalCounter(stats.InsertFailed);
        else
            log("warning", statsError + ": port-set exhaustion will not be counted");
        // After a restore, oldest first: flows alive since before the reopened window re-open its intervals
        // before a younger flow moves the aggregator past it (OpenIntervals.cs). Without one, the dump's own
        // order, as before: sorted, the oldest flow would set the first window, perhaps days back.
        IEnumerable<FlowEvent> dump = ConntrackSource.Dump(Rfc3339.NowUnixNs());
        foreach (FlowEvent e in reopened ? dump.OrderBy(e => e.StartNs) : dump)
            _tracker.Apply(e);
        _aggregator.EndRestored();
        Ready = true;
        _notify.Status("conntrack subscribed, spool open");
        string id = config.CeId!;
        _mqtt = new MqttLink(config.Broker.Settings(id) with { WillTopic = $"ce/v1/{id}/state", WillPayload = StatePayload(online: false) });
        _publisher = new SpoolPublisher(_spool, _mqtt, $"ce/v1/{id}/summary", new RetainedState($"ce/v1/{id}/state", StatePayload(online: true)));
        log("info", $"running: {_mape.Ipv4} PSID {_mape.Psid}, {_mape.Ports.Count} ports, {config.WindowSeconds} s windows, broker {config.Broker.Host}:{config.Broker.Port}");
    }

    public void Run(CancellationToken stop)
    {
        var batch = new List<FlowEvent>();
        long nextTick = 0;
        while (!stop.IsCancellationRequested)
        {
            batch.Clear();
            _conntrack.Read(batch, 200, Rfc3339.NowUnixNs, out bool lost);
            if (lost)
                Resync();
            foreach (FlowEvent e in batch)
                _tracker.Apply(e);
            if (Environment.TickCount64 >= nextTick || Interop.TimeApi.StepHappened(_stepWatch))
            {
                Tick();
                nextTick = Environment.TickCount64 + 1000;
            }
            Iterations++;
        }
        Shutdown();
    }

    private void Resync()
    {
        long now = Rfc3339.NowUnixNs();
        _conntrack.Discard();
        _tracker.CountLoss();
        _aggregator.CountLost(1, UtcMs(now));
        var (closed, opened) = _tracker.Resync(ConntrackSource.Dump(now), now);
        _aggregator.CountResync(UtcMs(now));
        _log("warning", $"conntrack events lost: resynchronised ({closed} flows closed by estimate, {opened} found late)");
    }

    private void Tick()
    {
        _clockStatus = _clock.Update();
        if (Environment.TickCount64 >= _nextSweep)
        {
            long dumpedAt = Rfc3339.NowUnixNs();
            _tracker.Sweep(ConntrackSource.Dump(dumpedAt), dumpedAt);
            _nextSweep = Environment.TickCount64 + SweepMs;
        }
        long now = UtcMs(Rfc3339.NowUnixNs());
        if (_refusals is not null && ConntrackSource.TryStats(out Interop.CtStats stats, out _) && _refusals.Take(stats.InsertFailed) is var refused and > 0)
        {
            _aggregator.CountExhausted(refused, now);
            _refusingUntil = Environment.TickCount64 + RefusalHoldMs;
        }
        _aggregator.Advance(now - _config.CloseDelaySeconds * 1000L, _clockStatus.Quality);
        while (_aggregator.TryTake(out WindowSummary w))
            _emitter.Add(w);
        _emitter.EmitIfOlder(now / 1000);
        JournalBatch();
        _openIntervals.SaveIfMoved(_aggregator); // after the batch journal: see WindowAggregator.Restore
        try
        {
            _publisher.Pump();
            Health = MakeHealth(null);
        }
        catch (IOException e)
        {
            Health = MakeHealth(e.Message);
            _log("error", e.Message);
        }
        // The watchdog is fed from this loop only: if the pipeline stalls, systemd restarts the agent.
        _notify.Watchdog();
        string status = Health.Describe();
        if (status != _lastStatus)
        {
            _notify.Status(status);
            _lastStatus = status;
        }
        _leds?.Show(Health.State);
    }

    /// <summary>Keeps the journal equal to the emitter's batch, writing only when a window closed or a
    /// batch was signed.</summary>
    private void JournalBatch()
    {
        var now = (_emitter.Messages, _emitter.PendingWindows);
        if (now == _journaled)
            return;
        _journal.Save(_emitter.Batched);
        _journaled = now;
    }

    private Health MakeHealth(string? fault)
    {
        double use = new[] { Proto.Tcp, Proto.Udp, Proto.Icmp }.Max(p => _tracker.PortsInUse(p)) / (double)_mape.Ports.Count;
        return new Health(fault is not null, _publisher.Connected, _clockStatus.Quality.Synchronized, use, _spool.PendingCount, fault,
            Environment.TickCount64 < _refusingUntil);
    }

    /// <summary>SIGTERM: close the current window, sign and store it, give the broker two seconds.</summary>
    private void Shutdown()
    {
        _notify.Status("stopping");
        _aggregator.Flush(_clockStatus.Quality);
        while (_aggregator.TryTake(out WindowSummary w))
            _emitter.Add(w);
        _emitter.Emit();
        JournalBatch();
        _openIntervals.Delete();
        long until = Environment.TickCount64 + 2000;
        while (_spool.PendingCount > 0 && _publisher.Connected && Environment.TickCount64 < until)
        {
            _publisher.Pump();
            Thread.Sleep(20);
        }
        _log("info", $"stopped: {_emitter.LastSeq} messages signed in all, {_spool.PendingCount} waiting in the spool");
    }

    private long UtcMs(long realtimeNs) => _clock.ToUtc(_clock.ToBoottime(realtimeNs)).UtcNs / 1_000_000;

    private byte[] StatePayload(bool online)
    {
        var s = new StateMessage(online, Shared.Cli.CommandTable.Version, _config.CeId!,
            new StateMape(_mape.Ipv4.ToString(), _mape.Psid, _mape.PsidLength, _mape.PsidOffset, _mape.Ports.Count, _mape.CeAddress.ToString()),
            new StateClock(_clockStatus.Quality.Synchronized, _clockStatus.Quality.Source.ToString().ToLowerInvariant(),
                _clockStatus.Quality.MaxErrorMs == uint.MaxValue ? null : _clockStatus.Quality.MaxErrorMs),
            Signing.DeviceKey.PublicPem(_key));
        return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(s, StateJson.Default.StateMessage));
    }

    /// <summary>The tracker's opens and closes, in UTC milliseconds, into the window aggregator.</summary>
    private sealed class Sink(AgentLoop loop) : IFlowSink
    {
        public void Opened(in TrackedFlow f, long atNs)
        {
            loop._aggregator.Open(f.Id, f.Proto, f.PublicPort, f.Destination, loop.UtcMs(atNs));
        }

        public void Closed(in TrackedFlow f, long atNs, bool estimated) => loop._aggregator.Close(f.Id, loop.UtcMs(atNs));
    }

    public void Dispose()
    {
        _mqtt.Dispose();
        _conntrack.Dispose();
        _spool.Dispose();
        _key.Dispose();
        _stepWatch.Dispose();
    }
}
