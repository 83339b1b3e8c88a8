namespace CeAgent.TestKit;

/// <summary>
/// A throw-away PKI made with the openssl command line: a CA, a server certificate for 127.0.0.1 and
/// localhost, and client certificates whose common name is the MQTT identity (a CE id, or "collector").
/// </summary>
public sealed class TestCerts : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "ce-pki-" + Guid.NewGuid().ToString("N")[..12]);
    public string CaCert => Path.Combine(Dir, "ca.crt");
    public string ServerCert => Path.Combine(Dir, "server.crt");
    public string ServerKey => Path.Combine(Dir, "server.key");

    public TestCerts()
    {
        Directory.CreateDirectory(Dir);
        Ssl($"req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -subj /CN=ce-test-ca -days 2");
        Issue("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    }

    /// <summary>A client certificate and key for the identity; returns (cert, key) paths.</summary>
    /// <summary>A client certificate whose common name is the identity; safe to call from several threads
    /// (openssl keeps the CA's serial number in a file).</summary>
    public (string Cert, string Key) Client(string identity)
    {
        string name = "client-" + identity;
        lock (_issuing)
            if (!File.Exists(Path.Combine(Dir, name + ".crt")))
                Issue(name, identity, "extendedKeyUsage=clientAuth");
        return (Path.Combine(Dir, name + ".crt"), Path.Combine(Dir, name + ".key"));
    }

    private readonly object _issuing = new();

    private void Issue(string name, string cn, string extension)
    {
        File.WriteAllText(Path.Combine(Dir, name + ".ext"), extension + "\n");
        Ssl($"req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout {name}.key -out {name}.csr -subj /CN={cn}");
        Ssl($"x509 -req -in {name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out {name}.crt -days 2 -extfile {name}.ext");
    }

    private void Ssl(string args) =>
        Proc.Run("/bin/sh", ["-c", $"cd '{Dir}' && openssl {args}"]).EnsureSuccess("openssl " + args);

    public void Dispose()
    {
        if (Directory.Exists(Dir))
            Directory.Delete(Dir, recursive: true);
    }
}
