namespace CeAgent.Mqtt;

/// <summary>
/// Where a broker is and how to authenticate to it: the "broker" object of both the agent's and the
/// ISP's configuration files. (Settable properties: the JSON source generator would overwrite init-only
/// defaults with zero.)
/// </summary>
public record BrokerEndpoint
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 8883;
    public string? CaFile { get; set; }
    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }

    /// <summary>The first thing wrong, named by its field under "broker", or null.</summary>
    public string? Problem() =>
        Port is < 1 or > 65535 ? $"broker.port: {Port} is not a TCP port"
        : (CertFile is null) != (KeyFile is null) ? "broker.certFile and broker.keyFile: give both or neither"
        : null;

    public MqttSettings Settings(string clientId) => new(clientId, Host, Port, CaFile, CertFile, KeyFile);
}
