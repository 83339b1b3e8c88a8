namespace CeAgent.Interop;

/// <summary>The kernel's NTP state as adjtimex(2) reports it (read only: modes = 0). Status holds only
/// <see cref="StaUnsync"/>, set by libceagent from the platform's STA_UNSYNC.</summary>
public readonly record struct KernelNtpState(int State, int Status, long MaxErrorUs, long EstErrorUs)
{
    public const int StaUnsync = 1 << 6; // portable: libceagent sets it from STA_UNSYNC
    public const int TimeError = 5;
    public bool Unsynchronized => (Status & StaUnsync) != 0 || State == TimeError;
}
