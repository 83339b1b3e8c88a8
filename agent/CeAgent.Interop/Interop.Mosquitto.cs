using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>struct mosquitto_message, as libmosquitto hands it to the message callback.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MosquittoMessage
{
    public int Mid;
    public nint Topic;
    public nint Payload;
    public int PayloadLength;
    public int Qos;
    [MarshalAs(UnmanagedType.U1)]
    public bool Retain;
}

/// <summary>libmosquitto (libmosquitto.so.1): the Eclipse Mosquitto client library, also on OpenWrt.</summary>
public static unsafe partial class Mosquitto
{
    private const string Lib = "mosquitto";
    public const int Success = 0, ErrNoConn = 4, OptProtocolVersion = 1, ProtocolV5 = 5;
    public const int PropSessionExpiryInterval = 17;

    static Mosquitto()
    {
        // Debian and OpenWrt ship only the versioned name without the -dev package.
        NativeLibrary.SetDllImportResolver(typeof(Mosquitto).Assembly, (name, asm, path) =>
            name == Lib && NativeLibrary.TryLoad("libmosquitto.so.1", asm, path, out nint h) ? h : 0);
    }

    [LibraryImport(Lib, EntryPoint = "mosquitto_lib_init")] public static partial int LibInit();
    [LibraryImport(Lib, EntryPoint = "mosquitto_new", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint New(string id, [MarshalAs(UnmanagedType.U1)] bool cleanSession, nint obj);
    [LibraryImport(Lib, EntryPoint = "mosquitto_destroy")] public static partial void Destroy(nint mosq);
    [LibraryImport(Lib, EntryPoint = "mosquitto_int_option")] public static partial int IntOption(nint mosq, int option, int value);
    [LibraryImport(Lib, EntryPoint = "mosquitto_tls_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TlsSet(nint mosq, string? cafile, string? capath, string? certfile, string? keyfile, nint passwordCallback);
    [LibraryImport(Lib, EntryPoint = "mosquitto_will_set_v5", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WillSet(nint mosq, string topic, int length, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain, nint properties);
    [LibraryImport(Lib, EntryPoint = "mosquitto_reconnect_delay_set")]
    public static partial int ReconnectDelaySet(nint mosq, uint delay, uint delayMax, [MarshalAs(UnmanagedType.U1)] bool exponential);
    [LibraryImport(Lib, EntryPoint = "mosquitto_connect_bind_v5", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Connect(nint mosq, string host, int port, int keepalive, string? bindAddress, nint properties);
    [LibraryImport(Lib, EntryPoint = "mosquitto_disconnect_v5")] public static partial int Disconnect(nint mosq, int reasonCode, nint properties);
    [LibraryImport(Lib, EntryPoint = "mosquitto_loop_start")] public static partial int LoopStart(nint mosq);
    [LibraryImport(Lib, EntryPoint = "mosquitto_loop_stop")] public static partial int LoopStop(nint mosq, [MarshalAs(UnmanagedType.U1)] bool force);
    [LibraryImport(Lib, EntryPoint = "mosquitto_publish_v5", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Publish(nint mosq, int* mid, string topic, int length, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain, nint properties);
    [LibraryImport(Lib, EntryPoint = "mosquitto_subscribe_v5", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Subscribe(nint mosq, int* mid, string pattern, int qos, int options, nint properties);
    [LibraryImport(Lib, EntryPoint = "mosquitto_property_add_int32")] public static partial int PropertyAddInt32(nint* properties, int identifier, uint value);
    [LibraryImport(Lib, EntryPoint = "mosquitto_property_free_all")] public static partial void PropertyFreeAll(nint* properties);
    [LibraryImport(Lib, EntryPoint = "mosquitto_strerror")] public static partial nint StrError(int error);

    [LibraryImport(Lib, EntryPoint = "mosquitto_connect_v5_callback_set")]
    public static partial void ConnectCallbackSet(nint mosq, delegate* unmanaged<nint, nint, int, int, nint, void> callback);
    [LibraryImport(Lib, EntryPoint = "mosquitto_disconnect_v5_callback_set")]
    public static partial void DisconnectCallbackSet(nint mosq, delegate* unmanaged<nint, nint, int, nint, void> callback);
    [LibraryImport(Lib, EntryPoint = "mosquitto_publish_v5_callback_set")]
    public static partial void PublishCallbackSet(nint mosq, delegate* unmanaged<nint, nint, int, int, nint, void> callback);
    [LibraryImport(Lib, EntryPoint = "mosquitto_message_v5_callback_set")]
    public static partial void MessageCallbackSet(nint mosq, delegate* unmanaged<nint, nint, MosquittoMessage*, nint, void> callback);
    [LibraryImport(Lib, EntryPoint = "mosquitto_subscribe_v5_callback_set")]
    public static partial void SubscribeCallbackSet(nint mosq, delegate* unmanaged<nint, nint, int, int, int*, nint, void> callback);

    public static string Describe(int error) => Marshal.PtrToStringUTF8(StrError(error)) ?? $"error {error}";
}
