namespace CeAgent.Interop;

/// <summary>enum ce_ioctl: the device requests the clock references make, portable ids. libceagent turns
/// them into this platform's request numbers (PPS_FETCH differs between 32- and 64-bit ARM).</summary>
public enum DeviceRequest
{
    PtpSysOffsetExtended = 1,
    PpsFetch = 2,
    RtcRdTime = 3,
}
