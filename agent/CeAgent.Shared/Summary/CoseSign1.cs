using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using CeAgent.Shared.Summary.Cbor;

namespace CeAgent.Shared.Summary;

/// <summary>A parsed COSE_Sign1 message (RFC 9052 section 4.2) whose envelope passed the strict rules, not
/// yet verified.</summary>
public sealed class CoseMessage
{
    internal CoseMessage(string keyId, byte[] payload, ReadOnlyMemory<byte> signed, Range payloadItem) =>
        (KeyId, Payload, Signed, PayloadItem) = (keyId, payload, signed, payloadItem);

    public string KeyId { get; }
    public byte[] Payload { get; }

    /// <summary>The whole message as received: the signature is its last 64 bytes.</summary>
    public ReadOnlyMemory<byte> Signed { get; }

    /// <summary>Where the payload's byte string item (head and content) lies in <see cref="Signed"/>.</summary>
    internal Range PayloadItem { get; }
}

/// <summary>
/// COSE_Sign1 with ES256 only: ECDSA P-256 with SHA-256 and the signature as r || s (64 bytes), which router
/// secure elements produce. Messages are signed by System.Security.Cryptography.Cose. That library accepts
/// more than the format does (an untagged message, any algorithm, extra headers, non-canonical heads), so
/// the envelope is read with the strict reader: tag 18, the protected header exactly {1: -7}, the
/// unprotected header exactly the CE id as kid (4), a 64-byte signature, nothing after. With the protected
/// header fixed, the Sig_structure the signature covers is a fixed prefix and the payload item as received,
/// so <see cref="Verify"/> hashes exactly that (one pass, one pooled buffer) and checks the signature
/// itself, instead of decoding the message a second time in the library (docs/benchmarks.md, "ISP CPU paths").
/// </summary>
public static class CoseSign1
{
    public const ulong Tag = 18;
    private static readonly byte[] ProtectedEs256 = [0xa1, 0x01, 0x26];

    /// <summary>Sig_structure (RFC 9052 section 4.4) up to the payload: ["Signature1", h'a10126', h'', ...].</summary>
    private static readonly byte[] SigStructurePrefix = [0x84, 0x6a, .. "Signature1"u8, 0x43, 0xa1, 0x01, 0x26, 0x40];

    public static byte[] Sign(ReadOnlySpan<byte> payload, string keyId, ECDsa key)
    {
        RequireP256(key);
        var unprotectedHeaders = new CoseHeaderMap { [CoseHeaderLabel.KeyIdentifier] = CoseHeaderValue.FromBytes(System.Text.Encoding.UTF8.GetBytes(keyId)) };
        return CoseSign1Message.SignEmbedded(payload, new CoseSigner(key, HashAlgorithmName.SHA256, null, unprotectedHeaders), []);
    }

    public static CoseMessage Parse(byte[] message)
    {
        Envelope e = Walk(message);
        return new CoseMessage(e.KeyId, message[e.Payload], message, e.PayloadItem);
    }

    /// <summary>The payload of a message, by the same strict walk as <see cref="Parse"/> but without a copy
    /// or the kid: for messages read back from the store, which were verified when they arrived.</summary>
    public static ReadOnlyMemory<byte> ReadPayload(ReadOnlyMemory<byte> message)
    {
        Envelope e = Walk(message);
        return message[e.Payload];
    }

    private readonly record struct Envelope(string KeyId, Range Payload, Range PayloadItem);

    private static Envelope Walk(ReadOnlyMemory<byte> message)
    {
        if (message.Length > SummaryLimits.MaxMessageBytes + 256)
            throw new SummaryFormatException($"message of {message.Length} bytes exceeds the limit");
        var r = new StrictCborReader(message);
        if (message.Length == 0 || message.Span[0] >> 5 != 6 || r.Tag("COSE_Sign1 tag") != Tag)
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
        int itemStart = r.Position;
        int payloadLength = r.Bytes(SummaryLimits.MaxMessageBytes, "payload").Length;
        int payloadEnd = r.Position;
        if (r.Bytes(64, "signature").Length != 64)
            throw new SummaryFormatException("ES256 signature must have 64 bytes");
        r.EndArray("COSE_Sign1");
        r.End("COSE_Sign1");
        return new Envelope(kid, (payloadEnd - payloadLength)..payloadEnd, itemStart..payloadEnd);
    }

    /// <summary>Whether the signature (the message's last 64 bytes, as the strict walk found them) verifies
    /// under the key over the Sig_structure of this envelope.</summary>
    public static bool Verify(CoseMessage m, ECDsa key)
    {
        RequireP256(key);
        ReadOnlySpan<byte> signed = m.Signed.Span;
        ReadOnlySpan<byte> item = signed[m.PayloadItem];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(SigStructurePrefix.Length + item.Length);
        Span<byte> hash = stackalloc byte[32];
        try
        {
            SigStructurePrefix.CopyTo(buffer, 0);
            item.CopyTo(buffer.AsSpan(SigStructurePrefix.Length));
            SHA256.HashData(buffer.AsSpan(0, SigStructurePrefix.Length + item.Length), hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return key.VerifyHash(hash, signed[^64..], DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
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
