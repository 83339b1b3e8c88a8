namespace CeAgent.Service;

/// <summary>
/// The pipeline's state as the LEDs, systemd's STATUS= and the retained state message show it. Faults
/// outrank everything; then a lost broker (spooling), then an untrusted clock, then a port set that is
/// nearly full or that the kernel's NAT recently found full (it refused a flow: see RefusalCounter).
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

public readonly record struct Health(bool Fault, bool BrokerConnected, bool ClockSynchronized, double PortUse, long PendingMessages, string? FaultReason,
    bool FlowsRefused = false)
{
    public const double NearExhaustion = 0.9;

    public HealthState State =>
        Fault ? HealthState.Fault
        : !BrokerConnected ? HealthState.Spooling
        : !ClockSynchronized ? HealthState.ClockUnsynchronized
        : PortUse >= NearExhaustion || FlowsRefused ? HealthState.PortsNearExhaustion
        : HealthState.Running;

    public string Describe() => State switch
    {
        HealthState.Fault => $"fault: {FaultReason}",
        HealthState.Spooling => $"broker unreachable, {PendingMessages} messages spooled",
        HealthState.ClockUnsynchronized => "publishing; clock not synchronised",
        HealthState.PortsNearExhaustion => FlowsRefused
            ? $"publishing; port set exhausted: the NAT refused flows in the last minute ({PortUse:P0} of ports in use)"
            : $"publishing; port set {PortUse:P0} in use",
        HealthState.Running => "publishing",
        _ => "starting",
    };
}
