using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>
/// docs/summary-vectors.json, defined once: the messages it holds and the document around them. The tool
/// that writes it (tests/CeAgent.Vectors, `make vectors`) and VectorTests, which checks the committed
/// file, both build it from here. ECDSA signatures are randomised, so the document takes its signatures
/// from the caller: fresh ones when writing, the committed ones when checking.
/// </summary>
internal static class VectorSet
{
    public const string RelativePath = "docs/summary-vectors.json";

    public static IEnumerable<(string Name, SummaryMessage Message)> Messages()
    {
        yield return ("one window", Samples.Message());
        SummaryMessage m = Samples.Message(seq: 8, prev: Convert.FromHexString("5d2c5a6b1f6f4b2f9e7c1a0e3b9d8c7f6a5b4c3d2e1f00112233445566778899"), dropped: 5);
        WindowSummary w = m.Windows[0];
        var icmp = new ProtoUsage(Proto.Icmp, new byte[30], 1, 1);
        yield return ("three windows, spool drops, an idle filter", m with
        {
            Windows =
            [
                w,
                w with { StartUnix = w.StartUnix + 60, Protocols = [.. w.Protocols, icmp], LostEvents = 0, Resyncs = 0, Exhausted = 4 },
                w with { StartUnix = w.StartUnix + 120, Clock = new ClockQuality(ClockSource.None, false, 250_000), Filter = AttributionFilter.Empty(GolombSet.DefaultP) },
            ],
        });
        // A busy window in two parts (part 0 with the usage, part 1 only a filter), intervals it could not
        // record, and a filter key epoch: the fields version 3 added.
        WindowSummary first = w with { Parts = 2, Unrecorded = 3, Filter = GolombSet.Build(Samples.FilterKey, w.StartUnix, 60, Samples.Intervals[..2]) };
        yield return ("a window in two parts, unrecorded intervals, filter key epoch 1", Samples.Message(seq: 9) with
        {
            FilterKeyEpoch = 1,
            Windows =
            [
                first,
                first with { Part = 1, Protocols = [], LostEvents = 0, Resyncs = 0, Unrecorded = 0, Filter = GolombSet.Build(Samples.FilterKey, w.StartUnix, 60, Samples.Intervals[2..]) },
            ],
        });
    }

    /// <summary>The file's text. <paramref name="sign"/> gives vector i's COSE_Sign1 message for its payload.</summary>
    public static string Text(Func<int, byte[], SummaryMessage, byte[]> sign)
    {
        using ECDsa key = Samples.TestKey();
        var vectors = new JsonArray();
        foreach (var (i, (name, m)) in Messages().Index())
        {
            byte[] payload = SummaryCodec.Encode(m);
            byte[] signed = sign(i, payload, m);
            vectors.Add(new JsonObject
            {
                ["name"] = name,
                ["message"] = Convert.ToHexStringLower(signed),
                ["payload"] = Convert.ToHexStringLower(payload),
                ["chainHash"] = Convert.ToHexStringLower(SummaryChain.Hash(signed)),
                ["ceId"] = m.CeId,
                ["seq"] = m.Seq,
                ["windows"] = m.Windows.Count,
                ["firstWindowStart"] = m.Windows[0].StartUnix,
                ["psid"] = m.Mape.Psid,
                ["filterKeyEpoch"] = m.FilterKeyEpoch,
            });
        }
        var doc = new JsonObject
        {
            ["comment"] = "ce-agent summary test vectors; see docs/summary-format.md. The key is a published test key.",
            ["privateKeyPem"] = Samples.TestKeyPem,
            ["publicKeyPem"] = key.ExportSubjectPublicKeyInfoPem(),
            ["filterKey"] = Convert.ToHexStringLower(Samples.FilterKey),
            ["filterIntervals"] = new JsonArray([.. Samples.Intervals.Select(d => (JsonNode)new JsonObject
            {
                ["address"] = d.Destination.Destination.ToString(),
                ["port"] = d.Destination.Port,
                ["proto"] = (int)d.Destination.Proto,
                ["start"] = d.StartUnix,
                ["end"] = d.EndUnix,
            })]),
            ["vectors"] = vectors,
        };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Fresh signatures by the published test key: what `make vectors` writes.</summary>
    public static string Fresh()
    {
        using ECDsa key = Samples.TestKey();
        return Text((_, payload, m) => CoseSign1.Sign(payload, m.CeId, key));
    }
}
