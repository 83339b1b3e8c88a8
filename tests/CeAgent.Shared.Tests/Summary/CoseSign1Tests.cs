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
}
