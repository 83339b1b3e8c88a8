namespace CeAgent.Service;

/// <summary>
/// Where the pipeline's health goes, once a tick: systemd's STATUS= (only when it changes) and watchdog,
/// and the LEDs. It also remembers that the kernel's NAT refused a flow, for <see cref="RefusalHoldMs"/>,
/// so a single refusal shows as an exhausted port set long enough for someone to see it.
/// </summary>
public sealed class HealthReporter(ServiceStatus notify, Leds.LedDriver? leds)
{
    /// <summary>How long the health shows the port set as exhausted after the kernel refused a flow.</summary>
    public const int RefusalHoldMs = 60_000;
    private long _refusingUntil;
    private string? _lastStatus;

    public Health Health { get; private set; }

    public bool RecentlyRefused => Environment.TickCount64 < _refusingUntil;

    public void Refused() => _refusingUntil = Environment.TickCount64 + RefusalHoldMs;

    public void Starting() => leds?.Show(HealthState.Starting);

    public void Status(string status) => notify.Status(status);

    public void Report(Health health)
    {
        Health = health;
        // The watchdog is fed from the pipeline's loop only: if the pipeline stalls, systemd restarts the agent.
        notify.Watchdog();
        string status = health.Describe();
        if (status != _lastStatus)
        {
            notify.Status(status);
            _lastStatus = status;
        }
        leds?.Show(health.State);
    }
}
