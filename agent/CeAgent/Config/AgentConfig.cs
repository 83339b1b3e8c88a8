using System.Text.Json;
using System.Text.Json.Serialization;
using CeAgent.Mqtt;
using CeAgent.Shared.Cli;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;

namespace CeAgent.Config;

/// <summary>The MAP-E part: the rule and the delegated prefix, as the ISP provisions them. (Settable
/// properties: the JSON source generator would overwrite init-only defaults with zero.)</summary>
public sealed record MapeConfig
{
    public string? Rule6 { get; set; }
    public string? Rule4 { get; set; }
    public int? EaLength { get; set; }
    public int? PsidOffset { get; set; }
    public int? PsidLength { get; set; }
    public string? Prefix { get; set; }
}

public sealed record SpoolConfig
{
    public string Dir { get; set; } = "/var/lib/ce-agent/spool";
    public long MaxBytes { get; set; } = 4 << 20;
}

public sealed record LedConfig
{
    /// <summary>"sysfs" (kernel LED class) or "gpio" (GPIO character device), or "none".</summary>
    public string Backend { get; set; } = "none";
    /// <summary>For sysfs: LED names under /sys/class/leds; for gpio: "gpiochipN:line".</summary>
    public string? Status { get; set; }
    public string? Fault { get; set; }
}

/// <summary>/etc/ce-agent/agent.json. Every field is documented in rootfs/common/agent.json.example.</summary>
public sealed record AgentConfig
{
    public const string DefaultPath = "/etc/ce-agent/agent.json";

    public string? CeId { get; set; }
    public MapeConfig Mape { get; set; } = new();
    /// <summary>Summary window: the port bitmaps' granularity and the unit of batching (destination times are
    /// kept to the second regardless); 120 s chosen by the attribution benchmark (docs/attribution.md).</summary>
    public int WindowSeconds { get; set; } = 120;
    /// <summary>Windows signed together in one message (docs/attribution.md explains the choice).</summary>
    public int BatchWindows { get; set; } = 5;
    /// <summary>Seconds to wait for late conntrack events before a window is closed.</summary>
    public int CloseDelaySeconds { get; set; } = 2;
    public SpoolConfig Spool { get; set; } = new();
    public BrokerEndpoint Broker { get; set; } = new();
    /// <summary>This CE's attribution filter key: 32 hex digits, derived for this CE by the ISP (docs/privacy.md).
    /// A configuration holding it must be 0600.</summary>
    public string? FilterKey { get; set; }
    /// <summary>The epoch the ISP derived <see cref="FilterKey"/> for (1 or more); every message names it.</summary>
    public uint? FilterKeyEpoch { get; set; }
    public string KeyFile { get; set; } = "/var/lib/ce-agent/device-key.pem";
    public string NtpSignal { get; set; } = Clock.NtpSignal.DefaultPath;
    public int ReceiveBuffer { get; set; } = Conntrack.ConntrackSource.DefaultReceiveBuffer;
    public LedConfig Leds { get; set; } = new();
    /// <summary>Below a page the kernel rounds up anyway; above 1 GiB is a typo on a router.</summary>
    public const int MinReceiveBuffer = 4096, MaxReceiveBuffer = 1 << 30;

    /// <summary>Reads and parses the file; null, wrong types and unknown fields are refused naming the field.
    /// <see cref="Validate"/> then checks the values: `run` and `run --check` call both.</summary>
    public static AgentConfig Load(string path)
    {
        try
        {
            return ConfigFile.Parse(ConfigFile.ReadText(path), AgentConfigJson.Default.AgentConfig, path);
        }
        catch (FormatException e) when (e is not ConfigException)
        {
            throw new ConfigException(e.Message);
        }
    }

    /// <summary>The fields the ISP provisions and the agent has no default for, those not set. (Every other
    /// field's default is its initialiser here: the one place defaults live; the OpenWrt init script leaves
    /// out what UCI does not set.)</summary>
    public IEnumerable<string> Unset()
    {
        (string Field, bool Unset)[] provisioned =
        [
            ("ceId", CeId is null), ("mape.rule6", Mape.Rule6 is null), ("mape.rule4", Mape.Rule4 is null),
            ("mape.eaLength", Mape.EaLength is null), ("mape.psidOffset", Mape.PsidOffset is null),
            ("mape.prefix", Mape.Prefix is null), ("filterKey", FilterKey is null), ("filterKeyEpoch", FilterKeyEpoch is null),
        ];
        return provisioned.Where(p => p.Unset).Select(p => p.Field);
    }

    /// <summary>The configuration as the agent uses it, defaults filled in, as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, AgentConfigJson.Default.AgentConfig);

    /// <summary>Checks every field and derives the CE's MAP-E parameters; errors name the field.</summary>
    public (MapeParams Mape, byte[] FilterKey) Validate()
    {
        // Everything an operator has yet to provision in one message, rather than one field per attempt.
        if (string.Join("; ", Unset().Select(f => f + ": missing")) is { Length: > 0 } unset)
            throw new ConfigException($"{unset} (the ISP provisions these: rootfs/common/agent.json.example)");
        if (CeId is null || !SummaryLimits.IsValidCeId(CeId))
            throw new ConfigException($"ceId: '{CeId}' must be 1-{SummaryLimits.MaxCeIdLength} of [A-Za-z0-9._-]");
        if (WindowSeconds is < 1 or > SummaryLimits.MaxWindowSeconds || 86400 % WindowSeconds != 0)
            throw new ConfigException($"windowSeconds: {WindowSeconds} must divide a day and be 1-3600");
        if (BatchWindows is < 1 or > SummaryLimits.MaxWindows)
            throw new ConfigException($"batchWindows: {BatchWindows} must be 1-{SummaryLimits.MaxWindows}");
        if (CloseDelaySeconds is < 0 or > 60)
            throw new ConfigException($"closeDelaySeconds: {CloseDelaySeconds} must be 0-60");
        if (Spool.MaxBytes < 256 * 1024)
            throw new ConfigException($"spool.maxBytes: {Spool.MaxBytes} is below 262144");
        if (Broker.Problem() is { } broker)
            throw new ConfigException(broker);
        if (string.IsNullOrWhiteSpace(Broker.Host))
            throw new ConfigException("broker.host: empty");
        if (ReceiveBuffer is < MinReceiveBuffer or > MaxReceiveBuffer)
            throw new ConfigException($"receiveBuffer: {ReceiveBuffer} must be {MinReceiveBuffer}-{MaxReceiveBuffer} bytes");
        if (Leds.Backend is not ("none" or "sysfs" or "gpio"))
            throw new ConfigException($"leds.backend: '{Leds.Backend}' is not none, sysfs or gpio");
        foreach (var (field, value) in new[] { ("spool.dir", Spool.Dir), ("keyFile", KeyFile), ("ntpSignal", NtpSignal) })
            if (string.IsNullOrWhiteSpace(value))
                throw new ConfigException($"{field}: empty");
        byte[] key;
        try
        {
            key = Convert.FromHexString(FilterKey ?? "");
        }
        catch (FormatException)
        {
            throw new ConfigException("filterKey: not hexadecimal");
        }
        if (key.Length != 16)
            throw new ConfigException($"filterKey: {key.Length} bytes; the ISP provisions 16 (32 hex digits)");
        if (FilterKeyEpoch is null or 0)
            throw new ConfigException("filterKeyEpoch: missing; the ISP provisions it with the filter key (1 or more)");
        try
        {
            var rule = MapRule.Parse(Mape.Rule6 ?? throw new MapeException("rule6", "missing"), Mape.Rule4 ?? throw new MapeException("rule4", "missing"),
                Mape.EaLength ?? throw new MapeException("eaLength", "missing"), Mape.PsidOffset ?? throw new MapeException("psidOffset", "missing"), Mape.PsidLength);
            return (MapeCalculator.Derive(rule, Ipv6Prefix.Parse(Mape.Prefix ?? throw new MapeException("prefix", "missing"), "prefix")), key);
        }
        catch (MapeException e)
        {
            string field = e.Field switch { "ea-len" => "eaLength", "psid-offset" => "psidOffset", "psid-len" => "psidLength", var f => f };
            throw new ConfigException($"mape.{field}: {e.Problem}");
        }
    }
}

/// <summary>A configuration that cannot be used; the message names the field.</summary>
public sealed class ConfigException(string message) : FormatException(message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, WriteIndented = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(AgentConfig))]
internal sealed partial class AgentConfigJson : JsonSerializerContext;
