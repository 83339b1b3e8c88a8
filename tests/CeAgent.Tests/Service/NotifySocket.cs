using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace CeAgent.Tests.Service;

/// <summary>The end systemd holds of the notify protocol: a unix datagram socket bound where NOTIFY_SOCKET
/// points, each datagram collected as one message (READY=1, STATUS=..., several lines in one datagram).</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<string> _messages = new();

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        new Thread(Receive) { IsBackground = true }.Start();
    }

    public string Path { get; }
    public IReadOnlyList<string> Messages => [.. _messages];

    /// <summary>The environment a Type=notify unit gives its process.</summary>
    public Dictionary<string, string> Environment() => new() { ["NOTIFY_SOCKET"] = Path };

    private void Receive()
    {
        var buf = new byte[4096];
        try
        {
            while (true)
                _messages.Enqueue(Encoding.UTF8.GetString(buf, 0, _socket.Receive(buf)));
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
