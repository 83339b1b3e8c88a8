namespace CeAgent.Interop;

/// <summary>The device requests' numbers and argument sizes on this platform, from libceagent (enum
/// ce_ioctl), computed by the platform's own headers: PPS_FETCH, for one, is declared with a pointer type,
/// so it differs between 32- and 64-bit ARM.</summary>
public static class IoctlNumbers
{
    public static nuint Request(DeviceRequest request) => Sys.IoctlRequest(request);

    public static int Size(DeviceRequest request) => Sys.IoctlSize(request);

    public static nuint PtpSysOffsetExtended => Request(DeviceRequest.PtpSysOffsetExtended);
    public static int PtpSysOffsetExtendedSize => Size(DeviceRequest.PtpSysOffsetExtended);
    public static nuint PpsFetch => Request(DeviceRequest.PpsFetch);
    public static int PpsFetchSize => Size(DeviceRequest.PpsFetch);
    public static nuint RtcRdTime => Request(DeviceRequest.RtcRdTime);
    public static int RtcTimeSize => Size(DeviceRequest.RtcRdTime);
}
