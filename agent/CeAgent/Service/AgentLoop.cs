using CeAgent.Config;
using CeAgent.Conntrack;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;

namespace CeAgent.Service;

/// <summary>
/// Drives the <see cref="AgentPipeline"/> on one thread: events as they come, and once a second (or at
/// once when the clock was stepped) the rest of the line: sweep, close windows, sign, publish, report.
/// One thread keeps the order of events simple and needs no locks; MQTTnet's own threads only complete
/// the tasks that the publisher looks at from this one.
/// </summary>
public sealed class AgentLoop : IDisposable
{
    /// <summary>How often the table is dumped to close flows the kernel expired but has not yet destroyed.</summary>
    public const int SweepMs = 5000;
    private readonly AgentPipeline _p;
    private readonly int _closeDelayMs;
    private readonly Action<string, string> _log;
    private readonly HealthReporter _health;
    private readonly Interop.FileDescriptorHandle _stepWatch;
    private ClockQuality _clock;
    private long _nextSweep;
    private readonly MemoryTrim _trim = new();

    public Health Health => _health.Health;
    public long Iterations { get; private set; }

    /// <param name="log">(level, message): level is "info", "warning" or "error".</param>
    public AgentLoop(AgentConfig config, Action<string, string> log, ServiceStatus notify, Leds.LedDriver? leds = null)
    {
        _log = log;
        _closeDelayMs = config.CloseDelaySeconds * 1000;
        _health = new HealthReporter(notify, leds);
        _health.Starting();
        _p = AgentPipeline.Build(config, log);
        _stepWatch = Interop.TimeApi.CreateStepWatch();
        _clock = _p.StartClock;
    }

    public void Run(CancellationToken stop)
    {
        long nextTick = 0;
        while (!stop.IsCancellationRequested)
        {
            if (_p.Events.Read(200).Resync is { } r)
                _log("warning", $"conntrack events lost: resynchronised ({r.ClosedByEstimate} flows closed by estimate, {r.FoundLate} found late)");
            if (Environment.TickCount64 >= nextTick || Interop.TimeApi.StepHappened(_stepWatch))
            {
                Tick();
                nextTick = Environment.TickCount64 + 1000;
            }
            Iterations++;
        }
        Shutdown();
    }

    private void Tick()
    {
        _clock = _p.Clock.Update().Quality;
        if (Environment.TickCount64 >= _nextSweep)
        {
            _p.Events.Sweep();
            _nextSweep = Environment.TickCount64 + SweepMs;
        }
        long now = _p.UtcMs(Rfc3339.NowUnixNs());
        if (_p.Refusals is not null && ConntrackSource.TryStats(out Interop.CtStats stats, out _) && _p.Refusals.Take(stats.InsertFailed) is var refused and > 0)
        {
            _p.Windows.CountExhausted(refused, now);
            _health.Refused();
        }
        _p.Windows.Advance(now - _closeDelayMs, _clock);
        Sign();
        _p.Signer.EmitIfOlder(now / 1000);
        _p.Signer.Journal();
        _p.OpenIntervals.SaveIfMoved(_p.Windows); // after the batch journal: see WindowAggregator.Restore
        if (_trim.Due(_p.Flows.OpenFlows, Environment.TickCount64))
            MemoryTrim.Collect();
        string? fault = null;
        try
        {
            _p.Publisher.Pump();
        }
        catch (IOException e)
        {
            fault = e.Message;
            _log("error", e.Message);
        }
        double use = new[] { Proto.Tcp, Proto.Udp, Proto.Icmp }.Max(_p.Windows.PortsInUse) / (double)_p.Mape.Ports.Count;
        _health.Report(new Health(fault is not null, _p.Publisher.Connected, _clock.Synchronized, use, _p.Spool.PendingCount, fault,
            _health.RecentlyRefused));
    }

    /// <summary>The windows the aggregator closed, into the signer's batch.</summary>
    private void Sign()
    {
        while (_p.Windows.TryTake(out WindowSummary w))
            _p.Signer.Add(w);
    }

    /// <summary>SIGTERM: close the current window, sign and store it, give the broker two seconds.</summary>
    private void Shutdown()
    {
        _health.Status("stopping");
        _p.Windows.Flush(_clock);
        Sign();
        _p.Signer.Emit();
        _p.Signer.Journal();
        _p.OpenIntervals.Delete(); // every interval is listed: nothing is left to restore
        long until = Environment.TickCount64 + 2000;
        while (_p.Spool.PendingCount > 0 && _p.Publisher.Connected && Environment.TickCount64 < until)
        {
            _p.Publisher.Pump();
            Thread.Sleep(20);
        }
        _log("info", $"stopped: {_p.Signer.LastSeq} messages signed in all, {_p.Spool.PendingCount} waiting in the spool");
    }

    public void Dispose()
    {
        _p.Dispose();
        _stepWatch.Dispose();
    }
}
