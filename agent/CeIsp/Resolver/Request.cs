using System.Text.Json;
using System.Text.Json.Serialization;

namespace CeIsp.Resolver;

/// <summary>One access as the content provider logged it.</summary>
public sealed record Observation
{
    public string Ip { get; set; } = "";
    public DateTimeOffset Time { get; set; }
    public long TimeAccuracyMs { get; set; }
    public int? SrcPort { get; set; }
    public string DstIp { get; set; } = "";
    public int? DstPort { get; set; }
    public string Proto { get; set; } = "tcp";
}

/// <summary>A disclosure request: who asks, and one or more observations of the same sender.</summary>
public sealed record DisclosureRequest
{
    public string Requester { get; set; } = "";
    public string? Reference { get; set; }
    public List<Observation> Observations { get; set; } = [];

    public static DisclosureRequest Parse(string json)
    {
        DisclosureRequest r;
        try
        {
            r = JsonSerializer.Deserialize(json, ResolverJson.Default.DisclosureRequest) ?? throw new FormatException("request: empty");
        }
        catch (JsonException e)
        {
            throw new FormatException($"request: {e.Message}");
        }
        if (string.IsNullOrWhiteSpace(r.Requester))
            throw new FormatException("request.requester: say who asks (it goes into the audit log)");
        if (r.Observations.Count is 0 or > 50)
            throw new FormatException($"request.observations: {r.Observations.Count} observations; give 1 to 50");
        for (int i = 0; i < r.Observations.Count; i++)
        {
            Observation o = r.Observations[i];
            string at = $"request.observations[{i}]";
            if (o.Time == default)
                throw new FormatException($"{at}.time: missing (UTC, RFC 3339)");
            if (o.TimeAccuracyMs is < 0 or > 86_400_000)
                throw new FormatException($"{at}.timeAccuracyMs: {o.TimeAccuracyMs} is outside 0..86400000");
            if (o.SrcPort is < 0 or > 65535 || o.DstPort is < 0 or > 65535)
                throw new FormatException($"{at}: a port is outside 0..65535");
            if (o.Proto is not ("tcp" or "udp" or "icmp"))
                throw new FormatException($"{at}.proto: '{o.Proto}' is not tcp, udp or icmp");
            CeAgent.Shared.MapE.IpText.ParseIpv4(o.Ip, $"{at}.ip");
            CeAgent.Shared.MapE.IpText.ParseAddress(o.DstIp, $"{at}.dstIp", System.Net.Sockets.AddressFamily.InterNetwork);
        }
        return r;
    }
}

/// <summary>What a window showed for one observation.</summary>
public sealed record Evidence(long Seq, long WindowStart, int WindowLength, bool PortUsed, bool ClockSynchronized, long ClockErrorMs);

public sealed record Candidate(string CeId, string Line, int ObservationsMatched, double FalsePositiveProbability, List<Evidence> Evidence, List<string> Notes);

/// <summary>A CE that held the address but left no evidence either way (a gap in its chain, or a
/// window whose clock cannot be placed): not a candidate, not excluded.</summary>
public sealed record NoEvidence(string CeId, string Line, string Why);

public sealed record Verdict(string Result, string? Line, List<Candidate> Candidates, List<NoEvidence> NoEvidence, string Explanation);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DisclosureRequest))]
[JsonSerializable(typeof(Verdict))]
public sealed partial class ResolverJson : JsonSerializerContext;
