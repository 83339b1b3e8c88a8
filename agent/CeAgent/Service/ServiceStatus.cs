using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;

namespace CeAgent.Service;

/// <summary>
/// What the agent tells systemd, through Hosting.Systemd's notifier: READY=1 once the pipeline is up (conntrack
/// subscribed, spool open, broker connection queued), STATUS= text, the watchdog, STOPPING=1, and on a failure
/// STATUS= naming it with ERRNO= where the failure carries one. READY=1 is ours rather than SystemdLifetime's,
/// which sends it when the host has started, whether or not the pipeline did: a start that failed then looked
/// ready to systemd for a moment before the exit. Without NOTIFY_SOCKET (procd, a shell) every call does nothing.
/// </summary>
public sealed class ServiceStatus(ISystemdNotifier notifier, TimeSpan? watchdogInterval)
{
    private long _nextWatchdog;

    /// <summary>Half of WATCHDOG_USEC, as systemd recommends; null when no watchdog is configured.</summary>
    public TimeSpan? WatchdogInterval { get; } = notifier.IsEnabled ? watchdogInterval : null;

    public static ServiceStatus FromEnvironment(ISystemdNotifier notifier) => new(notifier, WatchdogFrom(
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId));

    /// <summary>The watchdog interval systemd asks of process <paramref name="self"/>: half of WATCHDOG_USEC,
    /// or none when it is absent, not a positive number, or meant for another process (WATCHDOG_PID).</summary>
    public static TimeSpan? WatchdogFrom(string? usec, string? pid, int self)
    {
        bool forUs = pid is null || pid == self.ToString(CultureInfo.InvariantCulture);
        return forUs && long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out long us) && us > 0
            ? TimeSpan.FromMicroseconds(us / 2.0) : null;
    }

    public void Status(string status) => Send("STATUS=" + status);

    /// <summary>True once READY=1 was sent.</summary>
    public bool IsReady { get; private set; }

    /// <summary>The pipeline is up: says so, then READY=1, once.</summary>
    public void Ready(string status)
    {
        if (IsReady)
            return;
        Status(status);
        Send("READY=1");
        IsReady = true;
    }

    /// <summary>STOPPING=1, for a service that was ready; a start that failed says why with <see cref="Failed"/>.</summary>
    public void Stopping()
    {
        if (IsReady)
            Send("STOPPING=1");
    }

    /// <summary>STATUS=fault: the failure, with ERRNO= in the same datagram when it carries one, so `systemctl
    /// status` shows both.</summary>
    public void Failed(Exception e) =>
        Send($"STATUS=fault: {e.Message}" + (ErrnoOf(e) is { } errno ? $"\nERRNO={errno.ToString(CultureInfo.InvariantCulture)}" : ""));

    /// <summary>The errno a failure carries: the interop layer's own, or the one .NET keeps as the HResult of an
    /// IOException on Unix (a positive number, where Windows-style HRESULTs are negative), also inside the
    /// UnauthorizedAccessException it raises for EACCES and EPERM. Null for failures that are not a system call's.</summary>
    public static int? ErrnoOf(Exception e) => e switch
    {
        Interop.InteropException i => i.Errno,
        IOException { HResult: > 0 and < 4096 } io => io.HResult,
        UnauthorizedAccessException { InnerException: { } inner } => ErrnoOf(inner),
        _ => null,
    };

    /// <summary>Sends WATCHDOG=1 when due. Call it from the loop whose progress it vouches for.</summary>
    public void Watchdog()
    {
        if (WatchdogInterval is not { } every || Environment.TickCount64 < _nextWatchdog)
            return;
        Send("WATCHDOG=1");
        _nextWatchdog = Environment.TickCount64 + (long)every.TotalMilliseconds;
    }

    private void Send(string state)
    {
        if (!notifier.IsEnabled)
            return;
        try
        {
            notifier.Notify(new ServiceState(state));
        }
        catch (SocketException)
        {
            // systemd gone (shutdown) or a stale NOTIFY_SOCKET: nothing to tell, nothing to fail.
        }
    }
}
