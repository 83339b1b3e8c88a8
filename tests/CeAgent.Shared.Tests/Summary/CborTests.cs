using CeAgent.Shared.Summary.Cbor;

namespace CeAgent.Shared.Tests.Summary;

public class CborTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(23UL, "17")]
    [InlineData(24UL, "1818")]
    [InlineData(255UL, "18ff")]
    [InlineData(256UL, "190100")]
    [InlineData(65535UL, "19ffff")]
    [InlineData(65536UL, "1a00010000")]
    [InlineData(4294967295UL, "1affffffff")]
    [InlineData(4294967296UL, "1b0000000100000000")]
    public void Unsigned_integers_take_the_shortest_head(ulong v, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(new CborWriter().UInt(v).ToArray()));
        var r = new CborReader(Convert.FromHexString(hex));
        Assert.Equal(v, r.ReadUInt());
        Assert.True(r.AtEnd);
    }

    [Theory]
    [InlineData(-1L, "20")]
    [InlineData(-7L, "26")]
    [InlineData(-25L, "3818")]
    [InlineData(-500L, "3901f3")]
    public void Negative_integers(long v, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(new CborWriter().Int(v).ToArray()));
        Assert.Equal(v, new CborReader(Convert.FromHexString(hex)).ReadInt());
    }

    [Fact]
    public void Strings_arrays_maps_tags_and_bools()
    {
        byte[] b = new CborWriter().Tag(18).Array(3).Text("é").Bytes([1, 2]).Map(1).UInt(1).Bool(true).ToArray();
        Assert.Equal("d28362c3a942010 2a101f5".Replace(" ", ""), Convert.ToHexStringLower(b));
        var r = new CborReader(b);
        Assert.Equal(18UL, r.ReadTag());
        Assert.Equal(3, r.ReadArray(3, "a"));
        Assert.Equal("é", r.ReadText(10, "t"));
        Assert.Equal([1, 2], r.ReadBytes(10, "b").ToArray());
        Assert.Equal(1, r.ReadMap(1, "m"));
        int key = 0;
        Assert.Equal(1, r.ReadKey(ref key, "m"));
        Assert.True(r.ReadBool());
        r.ExpectEnd("item");
    }

    [Theory]
    [InlineData("1817", "non-canonical")]          // 23 in a one-byte head
    [InlineData("190017", "non-canonical")]
    [InlineData("1a0000ffff", "non-canonical")]
    [InlineData("1b00000000ffffffff", "non-canonical")]
    [InlineData("1f", "indefinite")]
    [InlineData("1c", "reserved")]
    [InlineData("19ff", "unexpected end")]
    [InlineData("", "unexpected end")]
    [InlineData("40", "expected an unsigned integer")]
    public void Non_canonical_or_truncated_heads_are_refused(string hex, string words)
    {
        var e = Assert.Throws<CborException>(() => new CborReader(Convert.FromHexString(hex)).ReadUInt());
        Assert.Contains(words, e.Message);
    }

    [Fact]
    public void Limits_order_and_trailing_bytes()
    {
        Assert.Contains("exceed the limit", Assert.Throws<CborException>(() => new CborReader([0x45, 1, 2, 3, 4, 5]).ReadBytes(4, "x").ToArray()).Message);
        Assert.Contains("exceed the limit", Assert.Throws<CborException>(() => new CborReader([0x83, 1, 2, 3]).ReadArray(2, "x")).Message);
        Assert.Contains("not valid UTF-8", Assert.Throws<CborException>(() => new CborReader([0x62, 0xc3, 0x28]).ReadText(4, "x")).Message);
        Assert.Contains("out of order", Assert.Throws<CborException>(() =>
        {
            var r = new CborReader([0x02, 0x01]);
            int k = 0;
            r.ReadKey(ref k, "m");
            r.ReadKey(ref k, "m");
        }).Message);
        Assert.Contains("trailing", Assert.Throws<CborException>(() =>
        {
            var r = new CborReader([0x01, 0x01]);
            r.ReadUInt();
            r.ExpectEnd("x");
        }).Message);
        Assert.Contains("expected true or false", Assert.Throws<CborException>(() => new CborReader([0xf6]).ReadBool()).Message);
    }
}
