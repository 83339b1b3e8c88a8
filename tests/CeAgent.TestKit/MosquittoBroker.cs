using System.Net;
using System.Net.Sockets;
using CeAgent.Mqtt;

namespace CeAgent.TestKit;

/// <summary>
/// A real mosquitto on a loopback port: TLS with client certificates whose common name is the user name,
/// an ACL that lets each CE write only under ce/v1/&lt;its id&gt;/ and the collector read them all, and
/// persistence, so a stop and a start behave like a broker restart in the field.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    private BackgroundProc? _proc;
    public TestCerts Certs { get; }
    public int Port { get; }
    public string Dir { get; }
    public string Log => Path.Combine(Dir, "mosquitto.log");

    private readonly NetNs? _ns;

    /// <param name="ns">Run inside this namespace (on its loopback) instead of the test's.</param>
    public MosquittoBroker(TestCerts certs, NetNs? ns = null)
    {
        Certs = certs;
        _ns = ns;
        Dir = Path.Combine(certs.Dir, "broker-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        Port = FreePort();
        File.WriteAllText(Path.Combine(Dir, "acl"), """
            user collector
            topic read ce/v1/#

            pattern write ce/v1/%u/#
            pattern read ce/v1/%u/#

            """);
        File.WriteAllText(Path.Combine(Dir, "mosquitto.conf"), $"""
            # Run as the invoking user: as root mosquitto would switch to "mosquitto", which cannot read the test PKI.
            user root
            per_listener_settings false
            allow_anonymous false
            persistence true
            persistence_location {Dir}/
            autosave_interval 1
            # mosquitto's default queue of 1,000 messages a client drops QoS 1 messages it has already
            # acknowledged to the publisher once a collector falls behind: unlimited here, sized in production.
            max_queued_messages 0
            log_dest file {Log}
            log_type error
            log_type warning
            log_type notice
            acl_file {Dir}/acl
            listener {Port} 127.0.0.1
            cafile {certs.CaCert}
            certfile {certs.ServerCert}
            keyfile {certs.ServerKey}
            require_certificate true
            use_identity_as_username true

            """);
        Start();
    }

    public void Start()
    {
        string[] cmd = ["mosquitto", "-c", Path.Combine(Dir, "mosquitto.conf")];
        _proc = _ns is null ? new BackgroundProc(cmd[0], cmd[1..]) : new BackgroundProc("ip", ["netns", "exec", _ns.Name, .. cmd]);
        for (int i = 0; i < 100; i++)
        {
            if (Listening())
                return;
            if (_proc.HasExited)
                break;
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"mosquitto did not start: {_proc.Stderr} {(File.Exists(Log) ? File.ReadAllText(Log) : "")}");
    }

    /// <summary>A clean stop (SIGTERM): mosquitto saves its persistent state, as on a broker restart.</summary>
    public void Stop()
    {
        if (_proc is null)
            return;
        _proc.Signal(15);
        _proc.WaitForExit(10_000);
        _proc.Dispose();
        _proc = null;
    }

    private bool Listening()
    {
        if (_ns is not null)
            return _ns.TryExec($"ss -ltn | grep -q '127.0.0.1:{Port} '").ExitCode == 0;
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>mosquitto_sub as the collector identity, persistent session, one hex payload a line.</summary>
    public BackgroundProc Subscribe(string topic, string identity = "collector")
    {
        var (cert, key) = Certs.Client(identity);
        string[] cmd = ["mosquitto_sub", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--cafile", Certs.CaCert, "--cert", cert, "--key", key, "-V", "mqttv5", "-q", "1", "-c", "-i", identity + "-sub",
            "-x", "3600", "-t", topic, "-F", "%x"];
        return _ns is null ? new BackgroundProc(cmd[0], cmd[1..]) : new BackgroundProc("ip", ["netns", "exec", _ns.Name, .. cmd]);
    }

    /// <summary>Publishes each payload at QoS 1 as <paramref name="identity"/> (its client certificate) and
    /// returns once the broker has acknowledged them all.</summary>
    public void PublishAll(string identity, string topic, IEnumerable<byte[]> payloads, int timeoutMs = 60_000)
    {
        using var client = MqttTestClient.Connect(this, identity + "-pub", identity);
        using var timeout = new CancellationTokenSource(timeoutMs);
        // A few at a time: within any broker's receive maximum.
        foreach (byte[][] chunk in payloads.Chunk(16))
        {
            int[] codes = Task.WhenAll(chunk.Select(m => client.Link.PublishAsync(topic, m, false, timeout.Token))).GetAwaiter().GetResult();
            if (codes.FirstOrDefault(c => c >= 0x80) is var refused and not 0)
                throw new InvalidOperationException($"{identity}: broker refused a message (0x{refused:x2})");
        }
    }

    public void Dispose() => Stop();
}
