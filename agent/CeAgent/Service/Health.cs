namespace CeAgent.Service;

/// <summary>
/// The pipeline's state as the LEDs, sd_notify's STATUS= and the retained state message show it. Faults
/// outrank everything; then a lost broker (spooling), then an untrusted clock, then a nearly full port set.
/// </summary>
public enum HealthState
{
    Starting,
    Running,
    ClockUnsynchronized,
    Spooling,
    PortsNearExhaustion,
    Fault,
}

public readonly record struct Health(bool Fault, bool BrokerConnected, bool ClockSynchronized, double PortUse, long PendingMessages, string? FaultReason)
{
    public const double NearExhaustion = 0.9;

    public HealthState State =>
        Fault ? HealthState.Fault
        : !BrokerConnected ? HealthState.Spooling
        : !ClockSynchronized ? HealthState.ClockUnsynchronized
        : PortUse >= NearExhaustion ? HealthState.PortsNearExhaustion
        : HealthState.Running;

    public string Describe() => State switch
    {
        HealthState.Fault => $"fault: {FaultReason}",
        HealthState.Spooling => $"broker unreachable, {PendingMessages} messages spooled",
        HealthState.ClockUnsynchronized => "publishing; clock not synchronised",
        HealthState.PortsNearExhaustion => $"publishing; port set {PortUse:P0} in use",
        HealthState.Running => "publishing",
        _ => "starting",
    };
}
