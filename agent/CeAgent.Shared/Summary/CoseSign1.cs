using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using CeAgent.Shared.Summary.Cbor;

namespace CeAgent.Shared.Summary;

/// <summary>A parsed COSE_Sign1 message (RFC 9052 section 4.2) whose envelope passed the strict rules, not
/// yet verified.</summary>
public sealed record CoseMessage(string KeyId, byte[] Payload, CoseSign1Message Message);

/// <summary>
/// COSE_Sign1 with ES256 only, signed and verified by System.Security.Cryptography.Cose: ECDSA P-256 with
/// SHA-256 and the signature as r || s (64 bytes), which router secure elements produce. The library
/// accepts more than the format does (an untagged message, any algorithm, extra headers, non-canonical
/// heads), so <see cref="Parse"/> first reads the envelope with the strict reader: tag 18, the protected
/// header exactly {1: -7}, the unprotected header exactly the CE id as kid (4), a 64-byte signature,
/// nothing after. Only then does the library decode it.
/// </summary>
public static class CoseSign1
{
    public const ulong Tag = 18;
    private static readonly byte[] ProtectedEs256 = [0xa1, 0x01, 0x26];

    public static byte[] Sign(ReadOnlySpan<byte> payload, string keyId, ECDsa key)
    {
        RequireP256(key);
        var unprotectedHeaders = new CoseHeaderMap { [CoseHeaderLabel.KeyIdentifier] = CoseHeaderValue.FromBytes(System.Text.Encoding.UTF8.GetBytes(keyId)) };
        return CoseSign1Message.SignEmbedded(payload, new CoseSigner(key, HashAlgorithmName.SHA256, null, unprotectedHeaders), []);
    }

    public static CoseMessage Parse(byte[] message)
    {
        if (message.Length > SummaryLimits.MaxMessageBytes + 256)
            throw new SummaryFormatException($"message of {message.Length} bytes exceeds the limit");
        var r = new StrictCborReader(message);
        if (message.Length == 0 || message[0] >> 5 != 6 || r.Tag("COSE_Sign1 tag") != Tag)
            throw new SummaryFormatException("not a COSE_Sign1 message (tag 18 expected)");
        if (r.Array(4, "COSE_Sign1") != 4)
            throw new SummaryFormatException("COSE_Sign1 must be an array of 4");
        ReadOnlySpan<byte> prot = r.Bytes(16, "protected header").Span;
        if (!prot.SequenceEqual(ProtectedEs256))
            throw new SummaryFormatException($"protected header {Convert.ToHexString(prot)} is not {{1: -7}} (only ES256 is accepted)");
        if (r.Map(1, "unprotected header") != 1)
            throw new SummaryFormatException("unprotected header must hold exactly the kid");
        int key = 0;
        if (r.Key(ref key, "unprotected header") != 4)
            throw new SummaryFormatException("unprotected header must hold the kid (4)");
        int at = r.Position;
        string kid = StrictCborReader.Utf8(r.Bytes(SummaryLimits.MaxCeIdLength, "kid").Span, "kid", at);
        r.EndMap("unprotected header");
        byte[] payload = r.Bytes(SummaryLimits.MaxMessageBytes, "payload").ToArray();
        if (r.Bytes(64, "signature").Length != 64)
            throw new SummaryFormatException("ES256 signature must have 64 bytes");
        r.EndArray("COSE_Sign1");
        r.End("COSE_Sign1");
        try
        {
            return new CoseMessage(kid, payload, System.Security.Cryptography.Cose.CoseMessage.DecodeSign1(message));
        }
        catch (CryptographicException e)
        {
            throw new SummaryFormatException($"COSE_Sign1 refused by the COSE library: {e.Message}");
        }
    }

    public static bool Verify(CoseMessage m, ECDsa key)
    {
        RequireP256(key);
        return m.Message.VerifyEmbedded(key, []);
    }

    private static void RequireP256(ECDsa key)
    {
        if (key.KeySize != 256)
            throw new CryptographicException($"ES256 needs a P-256 key; this key has {key.KeySize} bits");
    }
}

/// <summary>The hash chain: each message carries SHA-256 of the previous signed message, as sent.</summary>
public static class SummaryChain
{
    public static byte[] Hash(ReadOnlySpan<byte> signedMessage) => SHA256.HashData(signedMessage);
}
