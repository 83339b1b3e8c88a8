using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CeIsp.Audit;

/// <summary>
/// The line format, pure: a line is the JSON of an <see cref="AuditLine"/> with one more member at its end,
/// <c>"hash"</c>, the SHA-256 (hex) of the line as it reads without that member. Each line names the previous
/// line's hash in <c>prev</c>, so editing, removing or moving any line breaks the check at that line or the
/// next. Hashing the bytes as written (not a re-serialisation) keeps the check independent of JSON settings.
/// </summary>
internal static class AuditChain
{
    public static readonly string Genesis = new('0', 64);
    private static readonly byte[] HashMember = ",\"hash\":\""u8.ToArray();
    private const int SuffixLength = 9 + 64 + 2; // ,"hash":" + hex + "}

    /// <summary>The line's bytes (without the newline) and its hash.</summary>
    public static byte[] Encode(AuditLine line, out string hash)
    {
        byte[] content = JsonSerializer.SerializeToUtf8Bytes(line, AuditJson.Default.AuditLine);
        hash = Convert.ToHexStringLower(SHA256.HashData(content));
        return [.. content.AsSpan(0, content.Length - 1), .. HashMember, .. Encoding.ASCII.GetBytes(hash), (byte)'"', (byte)'}'];
    }

    /// <summary>Reads one line; null and a reason when it is not a well-formed entry whose own hash holds.</summary>
    public static (AuditLine Line, string Hash)? Decode(ReadOnlySpan<byte> raw, out string problem)
    {
        if (raw.Length <= SuffixLength || !raw[(raw.Length - SuffixLength)..].StartsWith(HashMember) || !raw.EndsWith("\"}"u8))
        {
            problem = "not an audit entry (no trailing \"hash\" member)";
            return null;
        }
        string hash = Encoding.ASCII.GetString(raw.Slice(raw.Length - 66, 64));
        byte[] content = [.. raw[..(raw.Length - SuffixLength)], (byte)'}'];
        if (!string.Equals(hash, Convert.ToHexStringLower(SHA256.HashData(content)), StringComparison.Ordinal))
        {
            problem = "its content does not match its own hash (the entry was edited)";
            return null;
        }
        try
        {
            AuditLine? line = JsonSerializer.Deserialize(content, AuditJson.Default.AuditLine);
            problem = "";
            return line is null ? throw new JsonException("null") : (line, hash);
        }
        catch (JsonException e)
        {
            problem = $"not a valid audit entry: {e.Message}";
            return null;
        }
    }

    /// <summary>Checks a whole log's bytes: each line decodes, counts up from 1 and names its predecessor's hash.</summary>
    public static AuditVerification Check(ReadOnlySpan<byte> all)
    {
        string prev = Genesis;
        long n = 0;
        while (!all.IsEmpty)
        {
            n++;
            int nl = all.IndexOf((byte)'\n');
            if (nl < 0)
                return Broken(n, "incomplete: no newline at its end (the file was truncated or a write was cut short)");
            if (Decode(all[..nl], out string problem) is not { } entry)
                return Broken(n, problem);
            if (entry.Line.Seq != n)
                return Broken(n, $"seq {entry.Line.Seq} where {n} belongs: an entry before it was removed, or entries were moved");
            if (!string.Equals(entry.Line.Prev, prev, StringComparison.Ordinal))
                return Broken(n, n == 1 ? "prev is not the genesis value: the log does not start at its first entry"
                    : $"prev does not match the hash of line {n - 1}: line {n - 1} was replaced, or this entry was moved");
            prev = entry.Hash;
            all = all[(nl + 1)..];
        }
        return new AuditVerification(true, n, null, null);

        AuditVerification Broken(long line, string why) => new(false, line - 1, line, $"line {line}: {why}");
    }
}
