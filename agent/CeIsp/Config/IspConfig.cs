using System.Text.Json;
using System.Text.Json.Serialization;
using CeAgent.Interop.Mqtt;

namespace CeIsp.Config;

public sealed record StoreConfig
{
    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string Kind { get; set; } = "sqlite";
    /// <summary>SQLite: the database file. PostgreSQL: an Npgsql connection string.</summary>
    public string Target { get; set; } = "/var/lib/ce-isp/summaries.db";
}

public sealed record IspBrokerConfig : BrokerEndpoint
{
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
    /// <summary>`ce-isp serve`: accounts, certificate, where answered requests are kept (docs/desk.md).</summary>
    public CeIsp.Desk.DeskConfig Desk { get; set; } = new();

    public static IspConfig Load(string path)
    {
        try
        {
            IspConfig c = JsonSerializer.Deserialize(File.ReadAllText(path), IspConfigJson.Default.IspConfig) ?? throw new FormatException($"{path}: empty");
            return c.Validate() is { } problem ? throw new FormatException($"{path}: {problem}") : c;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
    }

    /// <summary>The first thing wrong, named by its field, or null.</summary>
    public string? Validate()
    {
        if (Store.Kind is not ("sqlite" or "postgres"))
            return $"store.kind: '{Store.Kind}' is neither sqlite nor postgres";
        if (string.IsNullOrWhiteSpace(Store.Target))
            return "store.target: empty";
        if (Broker.Problem() is { } broker)
            return broker;
        if (Broker.Group.Length == 0 || Broker.Group.IndexOfAny(['/', '+', '#']) >= 0)
            return $"broker.group: '{Broker.Group}' must be non-empty without '/', '+' or '#' (it is a topic level of $share/<group>/...)";
        if (string.IsNullOrWhiteSpace(Broker.ClientId))
            return "broker.clientId: empty";
        for (int i = 0; i < Devices.Count; i++)
        {
            EnrolledDevice d = Devices[i];
            if (!CeAgent.Shared.Summary.SummaryLimits.IsValidCeId(d.CeId))
                return $"devices[{i}].ceId: '{d.CeId}' is not a valid CE id";
            if (string.IsNullOrWhiteSpace(d.Line))
                return $"devices[{i}].line: empty";
            if (!d.PublicKeyPem.Contains("BEGIN PUBLIC KEY", StringComparison.Ordinal))
                return $"devices[{i}].publicKeyPem: not a PEM public key";
        }
        return null;
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
