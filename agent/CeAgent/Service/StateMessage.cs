using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Time;

namespace CeAgent.Service;

/// <summary>The retained ce/v1/&lt;id&gt;/state message; the Last Will replaces it with online=false.</summary>
public sealed record StateMessage(bool Online, string Version, string CeId, StateMape? Mape, StateClock? Clock, string? PublicKey)
{
    public static byte[] Payload(bool online, string ceId, MapeParams mape, ClockQuality clock, ECDsa key)
    {
        var s = new StateMessage(online, Shared.Cli.CommandTable.Version, ceId,
            new StateMape(mape.Ipv4.ToString(), mape.Psid, mape.PsidLength, mape.PsidOffset, mape.Ports.Count, mape.CeAddress.ToString()),
            new StateClock(clock.Synchronized, clock.Source.ToString().ToLowerInvariant(), clock.MaxErrorMs == uint.MaxValue ? null : clock.MaxErrorMs),
            Signing.DeviceKey.PublicPem(key));
        return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(s, StateJson.Default.StateMessage));
    }
}

public sealed record StateMape(string Ipv4, int Psid, int PsidLength, int PsidOffset, int PortCount, string CeAddress);
public sealed record StateClock(bool Synchronized, string Source, uint? MaxErrorMs);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StateMessage))]
public sealed partial class StateJson : JsonSerializerContext;
