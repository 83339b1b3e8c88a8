using System.Net;
using System.Net.Sockets;

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

    public MosquittoBroker(TestCerts certs)
    {
        Certs = certs;
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
        _proc = new BackgroundProc("mosquitto", ["-c", Path.Combine(Dir, "mosquitto.conf")]);
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

    public void Dispose() => Stop();
}
