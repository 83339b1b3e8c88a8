using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;

namespace CeAgent.Service;

/// <summary>
/// What the pipeline itself tells systemd, through Hosting.Systemd's notifier: STATUS= text and the
/// watchdog. READY=1 and STOPPING=1 are the host's (SystemdLifetime), which sends them when the host has
/// started (after AgentService's start, so after the conntrack subscription and the spool are up) and when it
/// stops. Without NOTIFY_SOCKET (procd, a shell) the notifier is disabled and every call does nothing.
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
