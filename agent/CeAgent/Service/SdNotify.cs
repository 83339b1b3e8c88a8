using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CeAgent.Service;

/// <summary>
/// systemd's notification protocol, implemented directly (Hosting.Systemd is not available here): one
/// datagram of KEY=VALUE lines to the Unix socket named by NOTIFY_SOCKET ('@' = abstract namespace).
/// Without NOTIFY_SOCKET (procd, a shell) every call does nothing.
/// </summary>
public sealed class SdNotify : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _target;
    private long _nextWatchdog;

    /// <summary>Half of WATCHDOG_USEC, as systemd recommends; null when no watchdog is configured.</summary>
    public TimeSpan? WatchdogInterval { get; }

    public SdNotify(string? socketPath, string? watchdogUsec, string? watchdogPid = null)
    {
        if (string.IsNullOrEmpty(socketPath))
            return;
        _target = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        bool forUs = watchdogPid is null || watchdogPid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (forUs && long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out long usec) && usec > 0)
            WatchdogInterval = TimeSpan.FromMicroseconds(usec / 2.0);
    }

    public static SdNotify FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"),
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"));

    public bool Enabled => _socket is not null;

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");
    public void Status(string status) => Send($"STATUS={status}");
    public void Stopping() => Send("STOPPING=1\nSTATUS=stopping");

    /// <summary>Sends WATCHDOG=1 when due. Call it from the loop whose progress it vouches for.</summary>
    public void Watchdog()
    {
        if (WatchdogInterval is not { } every || Environment.TickCount64 < _nextWatchdog)
            return;
        Send("WATCHDOG=1");
        _nextWatchdog = Environment.TickCount64 + (long)every.TotalMilliseconds;
    }

    private void Send(string message)
    {
        if (_socket is null)
            return;
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), _target!);
        }
        catch (SocketException)
        {
            // systemd gone (shutdown) or a stale NOTIFY_SOCKET: nothing to tell, nothing to fail.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
