using System.Text.Json.Serialization;
using CeAgent.Shared.Summary;
using CeIsp.Store;

namespace CeIsp.Fleet;

/// <summary>One CE in the fleet report: its filter key epoch (from its newest message) and what is wrong
/// with it, its silence, what its messages of the period reported, and the health flags raised.</summary>
public sealed record FleetEntry(string CeId, string Line, long? NewestSeq, uint? Epoch, string? EpochFlag, DateTimeOffset? NewestReceived,
    DateTimeOffset? LastWindowEnd, long SilentWindows, int Messages, int UnsyncedWindows, long Exhausted, long LostEvents, long SpoolDropped, List<string> Flags)
{
    public bool Flagged => EpochFlag is not null || Flags.Count > 0;
}

public sealed record FleetReport(DateTimeOffset At, int Hours, int SilentWindows, EpochPolicy? Epochs, int Flagged, List<FleetEntry> Ces)
{
    /// <summary>Reads the store once for the fleet's newest windows, its newest messages (epochs) and the
    /// messages received in the last <paramref name="hours"/>, and flags each CE.</summary>
    public static FleetReport Build(SummaryStore store, EpochPolicy? epochs, int silentWindows, int hours, DateTimeOffset at)
    {
        long now = at.ToUnixTimeSeconds();
        var telemetry = store.NewestWindows().ToDictionary(n => n.CeId,
            n => new CeTelemetry(n.CeId, n.Line, n.LastEnd, n.WindowSeconds ?? 60));
        foreach (var (ceId, signed) in store.MessagesReceivedSince(now - hours * 3600L))
            if (telemetry.TryGetValue(ceId, out CeTelemetry? t))
                telemetry[ceId] = t.With(Decode(signed));
        var newest = store.NewestMessages().ToDictionary(m => m.CeId);
        var entries = new List<FleetEntry>();
        foreach (CeTelemetry t in telemetry.Values.OrderBy(t => t.CeId, StringComparer.Ordinal))
        {
            List<string> flags = FleetHealth.Flags(t, silentWindows, now);
            CeEpoch? ce = newest.TryGetValue(t.CeId, out var m)
                ? new CeEpoch(t.CeId, m.Seq, Decode(m.Signed).FilterKeyEpoch, DateTimeOffset.FromUnixTimeSeconds(m.ReceivedAt)) : null;
            string? epochFlag = epochs is not null && ce is not null ? EpochCheck.Flag(epochs, ce) : null;
            entries.Add(new FleetEntry(t.CeId, t.Line, ce?.Seq, ce?.Epoch, epochFlag, ce?.ReceivedAt, t.LastEnd is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null,
                FleetHealth.Silent(t, now), t.Messages, t.UnsyncedWindows, t.Exhausted, t.LostEvents, t.SpoolDropped, flags));
        }
        return new FleetReport(at, hours, silentWindows, epochs, entries.Count(e => e.Flagged), entries);
    }

    private static SummaryMessage Decode(byte[] signed) => SummaryCodec.Decode(CoseSign1.Parse(signed).Payload, readFilters: false);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FleetReport))]
public sealed partial class FleetJson : JsonSerializerContext;
