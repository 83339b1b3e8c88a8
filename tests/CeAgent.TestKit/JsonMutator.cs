using System.Text;
using System.Text.Json.Nodes;

namespace CeAgent.TestKit;

/// <summary>
/// Hostile variants of a good JSON document for parser property tests: every value in turn replaced by
/// null, a wrong type or an empty string, every property removed (each with the name of the field it hit,
/// which the error must name), and seeded random byte damage (insert, delete, flip, truncate).
/// </summary>
public static class JsonMutator
{
    private static readonly Func<JsonNode?>[] Replacements =
        [() => null, () => JsonValue.Create(""), () => JsonValue.Create(-1), () => JsonValue.Create(1e300), () => JsonValue.Create(true),
         () => new JsonArray(), () => new JsonObject(), () => JsonValue.Create("x"), () => JsonValue.Create(long.MaxValue)];

    /// <summary>(mutated JSON, the property name it changed).</summary>
    public static IEnumerable<(string Json, string Field)> Structural(string good)
    {
        JsonNode root = JsonNode.Parse(good, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        foreach (string path in Paths(root, ""))
            for (int r = 0; r <= Replacements.Length; r++)
            {
                JsonNode copy = root.DeepClone();
                (JsonNode parent, string key) = Locate(copy, path);
                if (r == Replacements.Length)
                {
                    if (parent is JsonObject o)
                        o.Remove(key);
                    else
                        continue;
                }
                else if (parent is JsonObject o)
                    o[key] = Replacements[r]();
                else
                    ((JsonArray)parent)[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = Replacements[r]();
                yield return (copy.ToJsonString(), parent is JsonObject ? key : Locate(copy, path[..path.LastIndexOf('/')]).Key);
            }
    }

    /// <summary>Seeded random damage to the bytes of the document.</summary>
    public static IEnumerable<string> Random(string good, int count, int seed)
    {
        var rng = new Random(seed);
        byte[] bytes = Encoding.UTF8.GetBytes(good);
        const string Noise = "{}[],:\"\\ 0-9eEnulltrfase\u0000\u00ff";
        for (int i = 0; i < count; i++)
        {
            var b = new List<byte>(bytes);
            int edits = 1 + rng.Next(4);
            for (int e = 0; e < edits && b.Count > 0; e++)
            {
                int at = rng.Next(b.Count);
                switch (rng.Next(4))
                {
                    case 0: b.Insert(at, (byte)Noise[rng.Next(Noise.Length)]); break;
                    case 1: b.RemoveAt(at); break;
                    case 2: b[at] = (byte)rng.Next(256); break;
                    default: b.RemoveRange(at, b.Count - at); break;
                }
            }
            yield return Encoding.UTF8.GetString([.. b]);
        }
    }

    private static IEnumerable<string> Paths(JsonNode node, string prefix)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList())
            {
                yield return prefix + "/" + k;
                if (v is not null)
                    foreach (string p in Paths(v, prefix + "/" + k))
                        yield return p;
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                yield return prefix + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (a[i] is { } v)
                    foreach (string p in Paths(v, prefix + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                        yield return p;
            }
    }

    private static (JsonNode Parent, string Key) Locate(JsonNode root, string path)
    {
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode parent = root;
        for (int i = 0; i < parts.Length - 1; i++)
            parent = parent is JsonArray a ? a[int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture)]! : parent[parts[i]]!;
        return (parent, parts.Length == 0 ? "" : parts[^1]);
    }
}
