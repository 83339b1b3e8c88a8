using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CeAgent.Shared.Secrets;

/// <summary>
/// Per-CE filter keys (docs/privacy.md, "Filter keys"): each CE's 16-byte key is
/// HKDF-SHA256(IKM = the 32-byte master key, salt = none, info = "ce-agent filter key v1" 0x00 ceId 0x00 epoch
/// as 4 bytes big-endian, L = 16). Only the resolver holds the master; a CE holds its own key for one epoch,
/// which opens that CE's filters of that epoch and nothing else. CE ids never contain 0x00, so the info
/// string names exactly one (CE, epoch).
/// </summary>
public static class FilterKeys
{
    public const int MasterKeyBytes = 32;
    public const int KeyBytes = 16;
    private static readonly byte[] Label = "ce-agent filter key v1"u8.ToArray();

    public static byte[] Derive(ReadOnlySpan<byte> masterKey, string ceId, uint epoch) => new FilterKeyDeriver(masterKey).Derive(ceId, epoch);

    /// <summary>The HKDF info for a (CE, epoch): label, 0x00, CE id (ASCII), 0x00, epoch big-endian.</summary>
    public static byte[] Info(string ceId, uint epoch)
    {
        byte[] id = Encoding.ASCII.GetBytes(ceId);
        byte[] info = new byte[Label.Length + 1 + id.Length + 1 + 4];
        Label.CopyTo(info, 0);
        id.CopyTo(info, Label.Length + 1);
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(info.Length - 4), epoch);
        return info;
    }

    /// <summary>Reads hex (a config field or a key file's text) into exactly <paramref name="bytes"/> bytes;
    /// errors name <paramref name="field"/> and never echo the key.</summary>
    public static byte[] ParseHex(string? hex, int bytes, string field)
    {
        byte[] k;
        try
        {
            k = Convert.FromHexString((hex ?? "").Trim());
        }
        catch (FormatException)
        {
            throw new FormatException($"{field}: not hexadecimal");
        }
        return k.Length == bytes ? k : throw new FormatException($"{field}: {k.Length} bytes; needs {bytes} ({bytes * 2} hex digits)");
    }
}

/// <summary>
/// <see cref="FilterKeys.Derive"/> for many CEs under one master: HKDF in its two steps (RFC 5869), the
/// extract (HMAC of the master under the empty salt) once, then one HMAC a key (a 16-byte expand is one
/// block), which halves the cost of the resolver's key a CE.
/// </summary>
public sealed class FilterKeyDeriver
{
    private readonly byte[] _prk;

    public FilterKeyDeriver(ReadOnlySpan<byte> masterKey)
    {
        if (masterKey.Length != FilterKeys.MasterKeyBytes)
            throw new ArgumentException($"the master key has {FilterKeys.MasterKeyBytes} bytes, not {masterKey.Length}", nameof(masterKey));
        _prk = new byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, masterKey, salt: [], _prk);
    }

    public byte[] Derive(string ceId, uint epoch)
    {
        if (!Summary.SummaryLimits.IsValidCeId(ceId))
            throw new ArgumentException($"CE id '{ceId}' is not a valid CE id", nameof(ceId));
        byte[] key = new byte[FilterKeys.KeyBytes];
        HKDF.Expand(HashAlgorithmName.SHA256, _prk, key, FilterKeys.Info(ceId, epoch));
        return key;
    }
}
