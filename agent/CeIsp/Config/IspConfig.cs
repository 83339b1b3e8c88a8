using System.Text.Json;
using System.Text.Json.Serialization;

namespace CeIsp.Config;

public sealed record StoreConfig
{
    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string Kind { get; set; } = "sqlite";
    /// <summary>SQLite: the database file. PostgreSQL: an Npgsql connection string.</summary>
    public string Target { get; set; } = "/var/lib/ce-isp/summaries.db";
}

public sealed record IspBrokerConfig
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 8883;
    public string? CaFile { get; set; }
    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }
    /// <summary>The MQTT client id; give each collector instance its own.</summary>
    public string ClientId { get; set; } = "collector";
    /// <summary>Collectors with the same group share one subscription ($share/group/...): each message goes to one of them.</summary>
    public string Group { get; set; } = "ce-isp";
}

public sealed record EnrolledDevice
{
    public string CeId { get; set; } = "";
    public string Line { get; set; } = "";
    public string PublicKeyPem { get; set; } = "";
}

/// <summary>/etc/ce-isp/isp.json. The filter key is the resolver's: a collector-only host need not have it.</summary>
public sealed record IspConfig
{
    public const string DefaultPath = "/etc/ce-isp/isp.json";
    public StoreConfig Store { get; set; } = new();
    public IspBrokerConfig Broker { get; set; } = new();
    public List<EnrolledDevice> Devices { get; set; } = [];
    public bool TrustOnFirstUse { get; set; }
    public string? FilterKey { get; set; }
    public string AuditLog { get; set; } = "/var/log/ce-isp/audit.jsonl";

    public static IspConfig Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), IspConfigJson.Default.IspConfig) ?? throw new FormatException($"{path}: empty");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
    }

    public byte[] RequireFilterKey()
    {
        byte[] k;
        try
        {
            k = Convert.FromHexString(FilterKey ?? "");
        }
        catch (FormatException)
        {
            throw new FormatException("filterKey: not hexadecimal");
        }
        return k.Length == 16 ? k : throw new FormatException($"filterKey: {k.Length} bytes; the resolver needs the 16 provisioned to the CEs");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(IspConfig))]
internal sealed partial class IspConfigJson : JsonSerializerContext;
