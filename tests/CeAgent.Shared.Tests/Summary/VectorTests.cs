using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeAgent.TestKit;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>
/// docs/summary-vectors.json is the format's published test vectors; the Node test in tests/interop checks
/// the same file with independent CBOR and COSE code. ECDSA signatures are randomised, so the vectors are
/// generated once (CE_WRITE_VECTORS=1) and from then on only checked.
/// </summary>
public class VectorTests
{
    private static string VectorFile => Path.Combine(Host.RepoRoot, "docs", "summary-vectors.json");

    private static IEnumerable<(string Name, SummaryMessage Message)> Messages()
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

    [Fact]
    public void Published_vectors_verify_and_decode()
    {
        if (Environment.GetEnvironmentVariable("CE_WRITE_VECTORS") == "1")
            Write();
        JsonNode doc = JsonNode.Parse(File.ReadAllText(VectorFile))!;
        using ECDsa pub = ECDsa.Create();
        pub.ImportFromPem(doc["publicKeyPem"]!.GetValue<string>());
        var expected = Messages().ToList();
        JsonArray vectors = doc["vectors"]!.AsArray();
        Assert.Equal(expected.Count, vectors.Count);
        for (int i = 0; i < vectors.Count; i++)
        {
            byte[] signed = Convert.FromHexString(vectors[i]!["message"]!.GetValue<string>());
            CoseMessage cose = CoseSign1.Parse(signed);
            Assert.True(CoseSign1.Verify(cose, pub), $"vector {i} does not verify");
            Assert.Equal(SummaryCodec.Encode(expected[i].Message), cose.Payload);
            Assert.Equal(vectors[i]!["payload"]!.GetValue<string>(), Convert.ToHexStringLower(cose.Payload));
            Assert.Equal(vectors[i]!["chainHash"]!.GetValue<string>(), Convert.ToHexStringLower(SummaryChain.Hash(signed)));
        }
    }

    private static void Write()
    {
        using ECDsa key = Samples.TestKey();
        var vectors = new JsonArray();
        foreach (var (name, m) in Messages())
        {
            byte[] payload = SummaryCodec.Encode(m);
            byte[] signed = CoseSign1.Sign(payload, m.CeId, key);
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
        Directory.CreateDirectory(Path.GetDirectoryName(VectorFile)!);
        File.WriteAllText(VectorFile, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
