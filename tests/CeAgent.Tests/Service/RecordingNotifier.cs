using Microsoft.Extensions.Hosting.Systemd;

namespace CeAgent.Tests.Service;

/// <summary>Hosting.Systemd's notifier faked at its interface: what would have gone to NOTIFY_SOCKET, in order.
/// The real socket is exercised by SystemdReadyTests and RunTests.</summary>
internal sealed class RecordingNotifier(bool enabled = true, bool broken = false) : ISystemdNotifier
{
    private readonly List<string> _sent = [];

    public IReadOnlyList<string> Sent
    {
        get
        {
            lock (_sent)
                return [.. _sent];
        }
    }

    public bool IsEnabled => enabled;

    public void Notify(ServiceState state)
    {
        if (broken)
            throw new System.Net.Sockets.SocketException(111);
        lock (_sent)
            _sent.Add(state.ToString());
    }
}
