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

public class CoseSign1FastPathTests
{
    private static readonly byte[] Payload = SummaryCodec.Encode(Samples.Message());

    /// <summary>The own Sig_structure check against the COSE library's verification, on the messages the
    /// strict walk lets through: random changes to payload, kid and
    /// signature bytes (the walk refuses changes to the envelope's structure before verification).</summary>
    [Fact]
    public void Verification_agrees_with_the_cose_library()
    {
        using ECDsa key = Samples.TestKey();
        byte[] signed = CoseSign1.Sign(Payload, "ce-0001", key);
        var rng = new Random(1618);
        int verified = 0, failed = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] m = (byte[])signed.Clone();
            m[rng.Next(m.Length)] ^= (byte)(1 << rng.Next(8));
            CoseMessage cose;
            try
            {
                cose = CoseSign1.Parse(m);
            }
            catch (FormatException)
            {
                continue;
            }
            bool library = System.Security.Cryptography.Cose.CoseMessage.DecodeSign1(m).VerifyEmbedded(key);
            Assert.Equal(library, CoseSign1.Verify(cose, key));
            if (library)
            {
                // Only the kid may change and still verify: the unprotected header is not signed, which is
                // why the collector checks the kid against the topic and the payload's CE id.
                Assert.NotEqual("ce-0001", cose.KeyId);
                verified++;
            }
            else
                failed++;
        }
        Assert.InRange(verified, 1, 200);
        Assert.True(failed > 1500, $"only {failed} mutations reached verification");
    }

    [Fact]
    public void The_payload_read_is_the_parsed_payload_and_refuses_what_parse_refuses()
    {
        using ECDsa key = Samples.TestKey();
        byte[] signed = CoseSign1.Sign(Payload, "ce-0001", key);
        Assert.Equal(Payload, CoseSign1.ReadPayload(signed).ToArray());
        var rng = new Random(99);
        for (int i = 0; i < 3000; i++)
        {
            byte[] m = (byte[])signed.Clone();
            if (rng.Next(2) == 0)
                m[rng.Next(m.Length)] = (byte)rng.Next(256);
            else
                m = m[..rng.Next(m.Length)];
            string parsed = Outcome(() => CoseSign1.Parse(m).Payload);
            Assert.Equal(parsed, Outcome(() => CoseSign1.ReadPayload(m).ToArray()));
        }
    }

    private static string Outcome(Func<byte[]> read)
    {
        try
        {
            return Convert.ToHexString(read());
        }
        catch (FormatException e)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }
}
