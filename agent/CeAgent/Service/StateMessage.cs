using System.Text.Json.Serialization;

namespace CeAgent.Service;

/// <summary>The retained ce/v1/&lt;id&gt;/state message; the Last Will replaces it with online=false.</summary>
public sealed record StateMessage(bool Online, string Version, string CeId, StateMape? Mape, StateClock? Clock, string? PublicKey);
public sealed record StateMape(string Ipv4, int Psid, int PsidLength, int PsidOffset, int PortCount, string CeAddress);
public sealed record StateClock(bool Synchronized, string Source, uint? MaxErrorMs);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StateMessage))]
public sealed partial class StateJson : JsonSerializerContext;
