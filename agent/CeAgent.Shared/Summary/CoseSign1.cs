using System.Security.Cryptography;
using System.Text;
using CeAgent.Shared.Summary.Cbor;

namespace CeAgent.Shared.Summary;

/// <summary>A parsed COSE_Sign1 message (RFC 9052 section 4.2), not yet verified.</summary>
public sealed record CoseMessage(string KeyId, byte[] Payload, byte[] Signature, byte[] ToBeSigned);

/// <summary>
/// COSE_Sign1 with ES256 only: ECDSA P-256 with SHA-256 and the signature as r || s (64 bytes), which
/// router secure elements produce. The protected header is always exactly {1: -7}; the unprotected
/// header carries the CE id as kid (4), so a collector finds the key before it trusts the payload.
/// </summary>
public static class CoseSign1
{
    public const ulong Tag = 18;
    private static readonly byte[] ProtectedEs256 = [0xa1, 0x01, 0x26];

    public static byte[] Sign(ReadOnlySpan<byte> payload, string keyId, ECDsa key)
    {
        RequireP256(key);
        byte[] signature = key.SignData(ToBeSigned(payload), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var w = new CborWriter();
        w.Tag(Tag).Array(4).Bytes(ProtectedEs256);
        w.Map(1).UInt(4).Bytes(Encoding.UTF8.GetBytes(keyId));
        w.Bytes(payload).Bytes(signature);
        return w.ToArray();
    }

    public static CoseMessage Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length > SummaryLimits.MaxMessageBytes + 256)
            throw new SummaryFormatException($"message of {message.Length} bytes exceeds the limit");
        var r = new CborReader(message);
        if (r.ReadTag() != Tag)
            throw new SummaryFormatException("not a COSE_Sign1 message (tag 18 expected)");
        if (r.ReadArray(4, "COSE_Sign1") != 4)
            throw new SummaryFormatException("COSE_Sign1 must be an array of 4");
        ReadOnlySpan<byte> prot = r.ReadBytes(16, "protected header");
        if (!prot.SequenceEqual(ProtectedEs256))
            throw new SummaryFormatException($"protected header {Convert.ToHexString(prot)} is not {{1: -7}} (only ES256 is accepted)");
        if (r.ReadMap(1, "unprotected header") != 1)
            throw new SummaryFormatException("unprotected header must hold exactly the kid");
        int key = 0;
        if (r.ReadKey(ref key, "unprotected header") != 4)
            throw new SummaryFormatException("unprotected header must hold the kid (4)");
        string kid;
        try
        {
            kid = new UTF8Encoding(false, true).GetString(r.ReadBytes(SummaryLimits.MaxCeIdLength, "kid"));
        }
        catch (DecoderFallbackException)
        {
            throw new SummaryFormatException("kid is not UTF-8");
        }
        byte[] payload = r.ReadBytes(SummaryLimits.MaxMessageBytes, "payload").ToArray();
        byte[] signature = r.ReadBytes(64, "signature").ToArray();
        if (signature.Length != 64)
            throw new SummaryFormatException($"ES256 signature has {signature.Length} bytes, not 64");
        r.ExpectEnd("COSE_Sign1");
        return new CoseMessage(kid, payload, signature, ToBeSigned(payload));
    }

    public static bool Verify(CoseMessage m, ECDsa key)
    {
        RequireP256(key);
        return key.VerifyData(m.ToBeSigned, m.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Sig_structure = ["Signature1", protected, external_aad = h'', payload].</summary>
    private static byte[] ToBeSigned(ReadOnlySpan<byte> payload) =>
        new CborWriter().Array(4).Text("Signature1").Bytes(ProtectedEs256).Bytes([]).Bytes(payload).ToArray();

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
