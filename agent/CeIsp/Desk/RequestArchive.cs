using System.Security.Cryptography;
using System.Text.Json;

namespace CeIsp.Desk;

/// <summary>
/// Answered requests, one JSON file and one evidence zip each in the desk's data directory, written to a
/// temporary name and renamed so a crash never leaves half a file. Ids are random (a requester cannot
/// guess another's) and checked against their form before they touch a path.
/// </summary>
public sealed class RequestArchive
{
    private readonly string _dir;

    public RequestArchive(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(dir);
    }

    public static string NewId(DateTimeOffset at) => $"r-{at.UtcDateTime:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";

    public static bool IsId(string id) =>
        id.Length == 27 && id.StartsWith("r-", StringComparison.Ordinal) && id[2..10].All(char.IsAsciiDigit) && id[10] == '-' && id[11..].All(char.IsAsciiHexDigitLower);

    public void Save(StoredRequest r, byte[] bundle)
    {
        Write(r.Id + ".zip", bundle);
        Write(r.Id + ".json", JsonSerializer.SerializeToUtf8Bytes(r, DeskJson.Default.StoredRequest));
    }

    public StoredRequest? Find(string id) =>
        IsId(id) && File.Exists(PathOf(id + ".json")) ? JsonSerializer.Deserialize(File.ReadAllBytes(PathOf(id + ".json")), DeskJson.Default.StoredRequest) : null;

    public byte[]? Bundle(string id) => IsId(id) && File.Exists(PathOf(id + ".zip")) ? File.ReadAllBytes(PathOf(id + ".zip")) : null;

    /// <summary>The newest first, optionally one owner's; at most limit.</summary>
    public List<StoredRequestSummary> List(string? owner, int limit = 200) =>
        [.. Directory.EnumerateFiles(_dir, "r-*.json").Select(f => Find(Path.GetFileNameWithoutExtension(f)))
            .OfType<StoredRequest>().Where(r => owner is null || r.Owner == owner).OrderByDescending(r => r.At).Take(limit)
            .Select(r => new StoredRequestSummary(r.Id, r.Owner, r.At, r.Request.Reference, r.Verdict.Verdict, r.Verdict.Line))];

    private string PathOf(string name) => Path.Combine(_dir, name);

    private void Write(string name, byte[] bytes)
    {
        string tmp = PathOf(name + ".tmp");
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, PathOf(name), overwrite: true);
    }
}
