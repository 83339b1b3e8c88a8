using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CeAgent.Shared.Summary;
using CeAgent.TestKit;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>
/// docs/summary-vectors.json is the format's published test vectors; the Node test in tests/interop checks
/// the same file with independent CBOR and COSE code. ECDSA signatures are randomised, so the vectors are
/// written once by `make vectors` (tests/CeAgent.Vectors) and from then on only checked here.
/// </summary>
public class VectorTests
{
    private static string VectorFile => Path.Combine(Host.RepoRoot, VectorSet.RelativePath);

    [Fact]
    public void Published_vectors_verify_and_decode()
    {
        JsonNode doc = JsonNode.Parse(File.ReadAllText(VectorFile))!;
        using ECDsa pub = ECDsa.Create();
        pub.ImportFromPem(doc["publicKeyPem"]!.GetValue<string>());
        var expected = VectorSet.Messages().ToList();
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

    [Fact]
    public void The_committed_file_is_what_make_vectors_writes_with_its_signatures()
    {
        // Every other field (the key, the intervals, names, sequence numbers) is checked byte for byte.
        string committed = File.ReadAllText(VectorFile);
        JsonArray vectors = JsonNode.Parse(committed)!["vectors"]!.AsArray();
        Assert.Equal(VectorSet.Text((i, _, _) => Convert.FromHexString(vectors[i]!["message"]!.GetValue<string>())), committed);
    }
}
