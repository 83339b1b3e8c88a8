using System.Formats.Cbor;
using CeAgent.Shared.Summary.Cbor;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>The strict reader: what canonical CBOR refuses (as System.Formats.Cbor did, see CborDifferentialTests), what
/// the layer adds (limits, key order, field names and offsets in every error).</summary>
public class CborTests
{
    private static StrictCborReader R(string hex) => new(Convert.FromHexString(hex));

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
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteUInt64(v);
        Assert.Equal(hex, Convert.ToHexStringLower(w.Encode()));
        StrictCborReader r = R(hex);
        Assert.Equal(v, r.UInt(ulong.MaxValue, "x"));
        r.End("x");
    }

    [Fact]
    public void Strings_arrays_maps_tags_and_bools()
    {
        StrictCborReader r = R("d28362c3a942010 2a101f5".Replace(" ", ""));
        Assert.Equal(18UL, r.Tag("t"));
        Assert.Equal(3, r.Array(3, "a"));
        Assert.Equal("é", r.Text(10, "t"));
        Assert.Equal([1, 2], r.Bytes(10, "b").ToArray());
        Assert.Equal(1, r.Map(1, "m"));
        int key = 0;
        Assert.Equal(1, r.Key(ref key, "m"));
        Assert.True(r.Bool("b"));
        r.EndMap("m");
        r.EndArray("a");
        r.End("item");
    }

    [Theory]
    [InlineData("1817")]               // 23 in a one-byte head
    [InlineData("190017")]
    [InlineData("1a0000ffff")]
    [InlineData("1b00000000ffffffff")]
    [InlineData("1f")]                 // indefinite
    [InlineData("1c")]                 // reserved
    [InlineData("19ff")]               // truncated
    [InlineData("")]
    [InlineData("40")]                 // a byte string
    [InlineData("20")]                 // a negative integer
    [InlineData("f97e00")]             // a float
    [InlineData("c101")]               // a tagged integer
    public void Non_canonical_truncated_or_mistyped_integers_are_refused_by_name(string hex)
    {
        var e = Assert.Throws<CborException>(() => R(hex).UInt(ulong.MaxValue, "window 3 length"));
        Assert.StartsWith("CBOR at byte 0: window 3 length: ", e.Message);
    }

    [Theory]
    [InlineData("5f4101ff")]           // indefinite-length byte string
    [InlineData("9f01ff")]             // indefinite-length array
    [InlineData("a202010101")]         // keys out of order
    [InlineData("a201010101")]         // a repeated key
    public void Indefinite_lengths_and_unsorted_maps_are_refused(string hex)
    {
        Assert.Throws<CborException>(() =>
        {
            StrictCborReader r = R(hex);
            if (hex.StartsWith("5f"))
                r.Bytes(8, "x");
            else if (hex.StartsWith("9f"))
                r.Array(8, "x");
            else
            {
                int key = 0;
                r.Map(2, "m");
                r.Key(ref key, "m");
                r.UInt(9, "v");
                r.Key(ref key, "m");
            }
        });
    }

    [Fact]
    public void Limits_order_and_trailing_bytes()
    {
        Assert.Contains("exceed the limit", Assert.Throws<CborException>(() => R("450102030405").Bytes(4, "x")).Message);
        Assert.Contains("exceed the limit", Assert.Throws<CborException>(() => R("83010203").Array(2, "x")).Message);
        Assert.Contains("x: 9 exceeds 8", Assert.Throws<CborException>(() => R("09").UInt(8, "x")).Message);
        Assert.Contains("x: ", Assert.Throws<CborException>(() => R("62c328").Text(4, "x")).Message);
        Assert.Contains("m: key 0 is out of order", Assert.Throws<CborException>(() =>
        {
            StrictCborReader r = R("a100f5");
            int k = 0;
            r.Map(1, "m");
            r.Key(ref k, "m"); // keys start at 1 in this format
        }).Message);
        Assert.Contains("trailing", Assert.Throws<CborException>(() =>
        {
            StrictCborReader r = R("0101");
            r.UInt(9, "x");
            r.End("x");
        }).Message);
        Assert.Contains("flag", Assert.Throws<CborException>(() => R("f6").Bool("flag")).Message);
    }
    /// <summary>The reader keeps the structure: a container closed early or read past its end, a second
    /// item at the root, a tag with nothing after it, a close of the wrong kind, nesting past the cap.</summary>
    [Fact]
    public void The_structure_is_kept_whatever_the_caller_reads()
    {
        CborException Refused(string hex, Action<StrictCborReader> read) => Assert.Throws<CborException>(() => read(R(hex)));
        Assert.Contains("x: 1 items left unread", Refused("820102", r => { r.Array(2, "a"); r.UInt(9, "u"); r.EndArray("x"); }).Message);
        Assert.Contains("keys and values left unread", Refused("a10102", r => { int k = 0; r.Map(1, "m"); r.Key(ref k, "m"); r.EndMap("m"); }).Message);
        Assert.Contains("no more items", Refused("810102", r => { r.Array(1, "a"); r.UInt(9, "u"); r.UInt(9, "v"); }).Message);
        Assert.Contains("nothing may follow the item at the root", Refused("0102", r => { r.UInt(9, "u"); r.UInt(9, "v"); }).Message);
        Assert.Contains("nothing may follow the item at the root", Refused("800102", r => { r.Array(0, "a"); r.EndArray("a"); r.UInt(9, "v"); }).Message);
        Assert.Contains("a tag without the item it tags", Refused("81d2", r => { r.Array(1, "a"); r.Tag("t"); r.EndArray("a"); }).Message);
        Assert.Contains("no map is open here", Refused("80", r => { r.Array(0, "a"); r.EndMap("a"); }).Message);
        Assert.Contains("no array is open here", Refused("00", r => r.EndArray("a")).Message);
        string deep = string.Concat(Enumerable.Repeat("81", StrictCborReader.MaxDepth + 1)) + "00";
        var e = Refused(deep, r => { for (int i = 0; i <= StrictCborReader.MaxDepth; i++) r.Array(1, "a"); });
        Assert.Contains($"nested deeper than {StrictCborReader.MaxDepth}", e.Message);
        Assert.Equal(StrictCborReader.MaxDepth, e.Offset);
        // The same reads within the rules succeed: the checks above refuse only what they name.
        StrictCborReader ok = R("d2820102");
        Assert.Equal(18UL, ok.Tag("t"));
        ok.Array(2, "a");
        ok.UInt(9, "u");
        ok.UInt(9, "v");
        ok.EndArray("a");
        ok.End("root");
    }
}
