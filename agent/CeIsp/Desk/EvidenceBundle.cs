using System.IO.Compression;
using System.Text.Json;
using CeIsp.Store;

namespace CeIsp.Desk;

/// <summary>
/// The evidence bundle of one answered request, a zip anyone can check without ce-isp: the signed messages
/// the verdict rests on exactly as received (with each one's predecessor where stored, so the chain link
/// can be checked), the enrolled public keys, the request, the verdict, the per-window filter material,
/// and a Node script with its README (Bundle/) that re-checks signatures, chain links and filter matches.
/// </summary>
public static class EvidenceBundle
{
    public static readonly string[] Tools = ["verify.mjs", "README.md", "package.json"];

    public static byte[] Build(SummaryStore store, StoredRequest r, IReadOnlyList<FilterMaterial> material)
    {
        var seqs = r.Verdict.Candidates.SelectMany(c => c.Windows.Select(w => (c.CeId, w.Seq)))
            .Concat(material.Select(m => (m.CeId, m.Seq))).ToHashSet();
        var withLinks = seqs.Concat(seqs.Where(s => s.Seq > 0).Select(s => (s.CeId, Seq: s.Seq - 1))).ToHashSet();
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (string tool in Tools)
                Add(zip, tool, Resource("bundle/" + tool));
            Add(zip, "request.json", JsonSerializer.SerializeToUtf8Bytes(r.Request, CeIsp.Resolver.ResolverJson.Default.DisclosureRequest));
            Add(zip, "verdict.json", JsonSerializer.SerializeToUtf8Bytes(r.Verdict, DeskJson.Default.DeskVerdict));
            Add(zip, "filter-material.json", JsonSerializer.SerializeToUtf8Bytes(material.ToList(), DeskJson.Default.ListFilterMaterial));
            foreach (string ce in withLinks.Select(s => s.CeId).Distinct().Order(StringComparer.Ordinal))
                if (store.FindDevice(ce) is { } d)
                    Add(zip, $"keys/{ce}.pem", System.Text.Encoding.ASCII.GetBytes(d.PublicKeyPem));
            foreach (var (ce, seq) in withLinks.OrderBy(s => s.CeId, StringComparer.Ordinal).ThenBy(s => s.Seq))
                if (store.Message(ce, seq) is { } signed)
                    Add(zip, $"messages/{ce}/{seq}.cose", signed);
        }
        return buffer.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        // A fixed time: the same evidence gives the same bundle, byte for byte.
        ZipArchiveEntry e = zip.CreateEntry(name, CompressionLevel.Optimal);
        e.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using Stream s = e.Open();
        s.Write(bytes);
    }

    private static byte[] Resource(string name)
    {
        using Stream s = typeof(EvidenceBundle).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"resource {name} missing from the build");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
