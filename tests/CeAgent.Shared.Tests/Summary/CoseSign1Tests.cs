using System.Security.Cryptography;
using CeAgent.Shared.Summary;

namespace CeAgent.Shared.Tests.Summary;

public class CoseSign1Tests
{
    private static readonly byte[] Payload = SummaryCodec.Encode(Samples.Message());

    [Fact]
    public void Signed_message_verifies_and_carries_the_kid()
    {
        using ECDsa key = Samples.TestKey();
        byte[] signed = CoseSign1.Sign(Payload, "ce-0001", key);
        Assert.Equal(0xd2, signed[0]); // tag 18
        CoseMessage m = CoseSign1.Parse(signed);
        Assert.Equal("ce-0001", m.KeyId);
        Assert.Equal(Payload, m.Payload);
        Assert.True(CoseSign1.Verify(m, key));
    }

    [Fact]
    public void Wrong_key_and_tampered_payload_fail_verification()
    {
        using ECDsa key = Samples.TestKey();
        using ECDsa other = Samples.OtherKey();
        byte[] signed = CoseSign1.Sign(Payload, "ce-0001", key);
        Assert.False(CoseSign1.Verify(CoseSign1.Parse(signed), other));
        int payloadAt = signed.AsSpan().IndexOf(Payload);
        signed[payloadAt + Payload.Length / 2] ^= 1;
        Assert.False(CoseSign1.Verify(CoseSign1.Parse(signed), key));
    }

    [Fact]
    public void Only_es256_is_accepted()
    {
        using ECDsa key = Samples.TestKey();
        byte[] signed = CoseSign1.Sign(Payload, "ce-0001", key);
        Assert.Equal(0x26, signed[5]); // alg -7 inside the protected header a10126
        signed[5] = 0x38; // would be another algorithm
        Assert.Contains("only ES256", Assert.Throws<SummaryFormatException>(() => CoseSign1.Parse(signed)).Message);
        using ECDsa p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<CryptographicException>(() => CoseSign1.Sign(Payload, "x", p384));
    }

    [Fact]
    public void Chain_hash_is_sha256_of_the_signed_bytes()
    {
        using ECDsa key = Samples.TestKey();
        byte[] first = CoseSign1.Sign(Payload, "ce-0001", key);
        byte[] next = SummaryCodec.Encode(Samples.Message(seq: 8, prev: SummaryChain.Hash(first)));
        Assert.Equal(SHA256.HashData(first), SummaryCodec.Decode(next).PrevHash);
    }
    /// <summary>What System.Security.Cryptography.Cose accepts and verifies but the format refuses: each
    /// variant verifies with the library alone, and the strict envelope check refuses it by name.</summary>
    [Fact]
    public void The_strict_envelope_refuses_what_the_cose_library_accepts()
    {
        using ECDsa key = Samples.TestKey();
        byte[] signed = CoseSign1.Sign(Payload, "ce-0001", key);
        var kid = new System.Security.Cryptography.Cose.CoseHeaderMap
        {
            [System.Security.Cryptography.Cose.CoseHeaderLabel.KeyIdentifier] = System.Security.Cryptography.Cose.CoseHeaderValue.FromBytes("ce-0001"u8.ToArray()),
        };
        var extraProtected = new System.Security.Cryptography.Cose.CoseHeaderMap
        {
            [System.Security.Cryptography.Cose.CoseHeaderLabel.ContentType] = System.Security.Cryptography.Cose.CoseHeaderValue.FromString("application/cbor"),
        };
        var extraUnprotected = new System.Security.Cryptography.Cose.CoseHeaderMap
        {
            [System.Security.Cryptography.Cose.CoseHeaderLabel.KeyIdentifier] = System.Security.Cryptography.Cose.CoseHeaderValue.FromBytes("ce-0001"u8.ToArray()),
            [System.Security.Cryptography.Cose.CoseHeaderLabel.ContentType] = System.Security.Cryptography.Cose.CoseHeaderValue.FromString("x"),
        };
        (string Name, byte[] Message, string Error)[] lax =
        [
            ("untagged", signed[1..], "tag 18 expected"),
            ("an extra protected header", System.Security.Cryptography.Cose.CoseSign1Message.SignEmbedded(Payload,
                new System.Security.Cryptography.Cose.CoseSigner(key, HashAlgorithmName.SHA256, extraProtected, kid)), "protected header"),
            ("an extra unprotected header", System.Security.Cryptography.Cose.CoseSign1Message.SignEmbedded(Payload,
                new System.Security.Cryptography.Cose.CoseSigner(key, HashAlgorithmName.SHA256, null, extraUnprotected)), "unprotected header"),
            ("ES384", System.Security.Cryptography.Cose.CoseSign1Message.SignEmbedded(Payload,
                new System.Security.Cryptography.Cose.CoseSigner(key, HashAlgorithmName.SHA384, null, kid)), "only ES256"),
        ];
        foreach (var (name, message, error) in lax)
        {
            Assert.True(System.Security.Cryptography.Cose.CoseMessage.DecodeSign1(message).VerifyEmbedded(key), $"{name}: the library itself accepts it");
            Assert.Contains(error, Assert.ThrowsAny<FormatException>(() => CoseSign1.Parse(message)).Message);
        }
        // A payload length in a longer head than needed: same content, another encoding.
        int at = signed.AsSpan().IndexOf(Payload) - 2;
        Assert.Equal([0x58, (byte)Payload.Length], signed[at..(at + 2)]);
        byte[] longHead = [.. signed[..at], 0x59, 0x00, (byte)Payload.Length, .. signed[(at + 2)..]];
        Assert.Throws<CeAgent.Shared.Summary.Cbor.CborException>(() => CoseSign1.Parse(longHead));
    }
}
