using CeAgent.Shared.Secrets;

namespace CeAgent.Shared.Tests.Secrets;

public class FilterKeysTests
{
    private static readonly byte[] Master = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    // The vectors of docs/privacy.md, computed there by an independent HKDF (Python's hmac).
    [Theory]
    [InlineData("ce-a", 1u, "63652d6167656e742066696c746572206b65792076310063652d610000000001", "3bd2745c50668dbb5f7cad862081224e")]
    [InlineData("ce-b", 1u, "63652d6167656e742066696c746572206b65792076310063652d620000000001", "f9536ebaecce41facc6d666ff151c0eb")]
    [InlineData("ce-a", 2u, "63652d6167656e742066696c746572206b65792076310063652d610000000002", "e8456419312d080c516d409602223f4e")]
    [InlineData("CE_42.example-net", 4294967295u,
        "63652d6167656e742066696c746572206b65792076310043455f34322e6578616d706c652d6e657400ffffffff", "b67fd9c113c2085c4f96706107f9908c")]
    public void The_documented_vectors_hold(string ceId, uint epoch, string info, string key)
    {
        Assert.Equal(info, Convert.ToHexStringLower(FilterKeys.Info(ceId, epoch)));
        Assert.Equal(key, Convert.ToHexStringLower(FilterKeys.Derive(Master, ceId, epoch)));
        Assert.Equal(key, Convert.ToHexStringLower(new FilterKeyDeriver(Master).Derive(ceId, epoch)));
    }

    [Fact]
    public void The_two_step_derivation_is_hkdf_in_one_call()
    {
        // The deriver extracts once and expands per key; HKDF.DeriveKey does both in one call: same keys.
        var deriver = new FilterKeyDeriver(Master);
        foreach (string ce in new[] { "a", "ce-1", "ce-ff", "CE_42.example-net" })
            for (uint e = 0; e < 20; e++)
            {
                byte[] expected = new byte[FilterKeys.KeyBytes];
                System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, Master, expected, [], FilterKeys.Info(ce, e));
                Assert.Equal(expected, deriver.Derive(ce, e));
            }
        Assert.Contains("32 bytes, not 31", Assert.Throws<ArgumentException>(() => new FilterKeyDeriver(new byte[31])).Message);
        Assert.Contains("'ce/a'", Assert.Throws<ArgumentException>(() => deriver.Derive("ce/a", 1)).Message);
    }

    [Fact]
    public void Every_CE_and_epoch_gets_its_own_key()
    {
        var keys = new HashSet<string>();
        foreach (string ce in new[] { "a", "b", "ab", "a.b", "ce-1", "ce-10" })
            for (uint e = 0; e < 50; e++)
                Assert.True(keys.Add(Convert.ToHexString(FilterKeys.Derive(Master, ce, e))), $"{ce} {e}");
    }

    [Fact]
    public void Bad_inputs_are_named()
    {
        Assert.Contains("32 bytes, not 16", Assert.Throws<ArgumentException>(() => FilterKeys.Derive(new byte[16], "ce-a", 1)).Message);
        Assert.Contains("'ce a'", Assert.Throws<ArgumentException>(() => FilterKeys.Derive(Master, "ce a", 1)).Message);
        Assert.Contains("k: not hexadecimal", Assert.Throws<FormatException>(() => FilterKeys.ParseHex("xyz", 16, "k")).Message);
        var e = Assert.Throws<FormatException>(() => FilterKeys.ParseHex("00112233", 16, "k"));
        Assert.Contains("k: 4 bytes; needs 16", e.Message);
        Assert.DoesNotContain("00112233", e.Message); // a key is never echoed
        Assert.Equal(16, FilterKeys.ParseHex(" 3bd2745c50668dbb5f7cad862081224e\n", 16, "k").Length);
    }
}
