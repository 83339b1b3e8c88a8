using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace CeAgent.Mqtt;

/// <summary>
/// One MQTT v5 connection as both sides use it. Clean start is off and the session outlives a
/// disconnection, so the broker keeps a collector's queue (and what it delivered but was not
/// acknowledged) while it is away. TLS trusts only the configured CA, not the system's roots, and presents
/// the client certificate whose common name is the MQTT identity.
/// </summary>
public sealed record MqttSettings(
    string ClientId, string Host, int Port,
    string? CaFile = null, string? CertFile = null, string? KeyFile = null,
    int KeepaliveSeconds = 30, uint SessionExpirySeconds = 7 * 86400,
    string? WillTopic = null, byte[]? WillPayload = null, ushort ReceiveMaximum = 64)
{
    /// <summary>The MQTTnet options; the TLS files are read here, so a missing or broken one fails at start with its name.</summary>
    public MqttClientOptions Build()
    {
        MqttClientOptionsBuilder b = new MqttClientOptionsBuilder()
            .WithClientId(ClientId)
            .WithTcpServer(Host, Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(KeepaliveSeconds))
            .WithReceiveMaximum(ReceiveMaximum)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (WillTopic is not null)
            b = b.WithWillTopic(WillTopic).WithWillPayload(WillPayload ?? []).WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (CaFile is not null)
            b = b.WithTlsOptions(Tls());
        return b.Build();
    }

    private MqttClientTlsOptions Tls()
    {
        var ca = new X509Certificate2Collection();
        X509Certificate2? client = null;
        try
        {
            ca.ImportFromPemFile(CaFile!);
            if (ca.Count == 0)
                throw new CryptographicException("no certificate in the CA file");
            if (CertFile is not null && KeyFile is not null)
                client = X509Certificate2.CreateFromPemFile(CertFile, KeyFile);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new IOException($"mqtt TLS files (ca {CaFile}, cert {CertFile}, key {KeyFile}): {e.Message}", e);
        }
        var tls = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithTargetHost(Host)
            .WithCertificateValidationHandler(e => TrustedByCa(e.Certificate, e.SslPolicyErrors, ca));
        if (client is not null)
            tls = tls.WithClientCertificates([client]);
        return tls.Build();
    }

    /// <summary>The broker's certificate must chain to the configured CA and name the host we dialled.</summary>
    public static bool TrustedByCa(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection ca)
    {
        if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using X509Certificate2 cert = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return chain.Build(cert);
    }
}
