using System.Text.Json;
using System.Text.Json.Serialization;
using CeAgent.Mqtt;
using CeAgent.Shared.Cli;
using CeAgent.Shared.Secrets;

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
    /// <summary>A rotation in progress: the key the CE prepared (`ce-agent key --rotate`), accepted besides
    /// <see cref="PublicKeyPem"/> until the operator makes it the key.</summary>
    public string? NextPublicKeyPem { get; set; }
}

/// <summary>/etc/ce-isp/isp.json. The master key is the resolver's alone: a collector-only host has neither
/// <see cref="MasterKey"/> nor <see cref="MasterKeyFile"/> (docs/privacy.md).</summary>
public sealed record IspConfig
{
    public const string DefaultPath = "/etc/ce-isp/isp.json";
    public StoreConfig Store { get; set; } = new();
    public IspBrokerConfig Broker { get; set; } = new();
    public List<EnrolledDevice> Devices { get; set; } = [];
    public bool TrustOnFirstUse { get; set; }
    /// <summary>The filter master key (64 hex digits) inline; the file must then be 0600. Prefer <see cref="MasterKeyFile"/>.</summary>
    public string? MasterKey { get; set; }
    /// <summary>A 0600 file holding the master key in hex (a systemd credential, for instance).</summary>
    public string? MasterKeyFile { get; set; }
    public string AuditLog { get; set; } = "/var/log/ce-isp/audit.jsonl";
    /// <summary>The filter key epoch provisioned now; `ce-isp fleet` flags CEs that keep an older one.</summary>
    public Fleet.EpochPolicy? FilterKeyEpoch { get; set; }
    /// <summary>Days a stored summary is kept; the collector drops older days once a day and `ce-isp prune`
    /// on demand. Six months by default: MIC's commentary on the telecommunications privacy guideline calls
    /// about six months generally accepted for connection logs, which are then deleted.</summary>
    public int RetentionDays { get; set; } = DefaultRetentionDays;
    public const int DefaultRetentionDays = 180;
    /// <summary>Ten years: beyond that a typo, not a policy.</summary>
    public const int MaxRetentionDays = 3660;
    /// <summary>Where `ce-isp collect` serves Prometheus metrics ("127.0.0.1:9464"); null: not served.</summary>
    public string? Metrics { get; set; }
    /// <summary>`ce-isp serve`: accounts, certificate, where answered requests are kept (docs/desk.md).</summary>
    public CeIsp.Desk.DeskConfig Desk { get; set; } = new();

    public static IspConfig Load(string path)
    {
        IspConfig c = ConfigFile.Parse(ConfigFile.ReadText(path), IspConfigJson.Default.IspConfig, path);
        if (c.Validate() is { } problem)
            throw new FormatException($"{path}: {problem}");
        if (c.MasterKey is not null)
            SecretFile.RequirePrivate(path, "a configuration holding masterKey");
        return c;
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
        if (string.IsNullOrWhiteSpace(Broker.Host))
            return "broker.host: empty";
        if (string.IsNullOrWhiteSpace(AuditLog))
            return "auditLog: empty";
        if (Broker.Group.Length == 0 || Broker.Group.IndexOfAny(['/', '+', '#']) >= 0)
            return $"broker.group: '{Broker.Group}' must be non-empty without '/', '+' or '#' (it is a topic level of $share/<group>/...)";
        if (string.IsNullOrWhiteSpace(Broker.ClientId))
            return "broker.clientId: empty";
        if (RetentionDays is < 1 or > MaxRetentionDays)
            return $"retentionDays: {RetentionDays} is outside 1..{MaxRetentionDays}";
        if (Metrics is not null && CeIsp.Metrics.MetricsEndpoint.Problem(Metrics) is { } metrics)
            return $"metrics: '{Metrics}' {metrics}";
        if (FilterKeyEpoch?.Problem() is { } epoch)
            return epoch;
        for (int i = 0; i < Devices.Count; i++)
        {
            if (Devices[i] is not { } d)
                return $"devices[{i}]: null, expected an object";
            if (!CeAgent.Shared.Summary.SummaryLimits.IsValidCeId(d.CeId))
                return $"devices[{i}].ceId: '{d.CeId}' is not a valid CE id";
            if (string.IsNullOrWhiteSpace(d.Line))
                return $"devices[{i}].line: empty";
            if (Collector.PublicKeys.Problem(d.PublicKeyPem) is { } key)
                return $"devices[{i}].publicKeyPem of {d.CeId}: the key {key}";
            if (d.NextPublicKeyPem is { } next && Collector.PublicKeys.Problem(next) is { } nextKey)
                return $"devices[{i}].nextPublicKeyPem of {d.CeId}: the key {nextKey}";
        }
        return null;
    }

    /// <summary>The master key, for the resolver and for provisioning; never printed.</summary>
    public byte[] RequireMasterKey()
    {
        if (MasterKey is not null && MasterKeyFile is not null)
            throw new FormatException("masterKey and masterKeyFile: give one");
        if (MasterKeyFile is { } file)
        {
            SecretFile.RequirePrivate(file, "the filter master key");
            return FilterKeys.ParseHex(File.ReadAllText(file), FilterKeys.MasterKeyBytes, $"masterKeyFile {file}");
        }
        return MasterKey is null
            ? throw new FormatException("masterKey: missing; the resolver needs the filter master key (masterKeyFile or masterKey)")
            : FilterKeys.ParseHex(MasterKey, FilterKeys.MasterKeyBytes, "masterKey");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(IspConfig))]
internal sealed partial class IspConfigJson : JsonSerializerContext;
