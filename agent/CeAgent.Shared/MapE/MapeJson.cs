using System.Text.Json.Serialization;

namespace CeAgent.Shared.MapE;

/// <summary>`ce-agent mape --json`: one object a script or the ISP's tooling can read.</summary>
public sealed record MapeJson(
    string Ipv4, int Ipv4PrefixLength, int Psid, int PsidLength, int PsidOffset, int EaLength,
    int[][] PortRanges, int PortCount, string CeAddress, string Iid, string EndUserPrefix)
{
    public static MapeJson From(MapeParams p) => new(
        p.Ipv4.ToString(), p.Ipv4PrefixLength, p.Psid, p.PsidLength, p.PsidOffset, p.EaLength,
        [.. p.Ports.Ranges.Select(r => new[] { r.First, r.Last })], p.Ports.Count, p.CeAddress.ToString(),
        p.IidFormat == InterfaceIdFormat.Draft ? "draft" : "rfc", p.EndUserPrefix.ToString());
}

/// <summary>`ce-isp owner --json`.</summary>
public sealed record OwnerJson(string Ip, int Port, int Psid, int PsidLength, string Prefix);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(MapeJson))]
[JsonSerializable(typeof(OwnerJson))]
public sealed partial class MapeJsonContext : JsonSerializerContext;
