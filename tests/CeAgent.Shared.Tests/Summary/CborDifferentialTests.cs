using System.Formats.Cbor;
using System.Text;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Summary.Cbor;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>
/// The strict reader against System.Formats.Cbor in canonical mode, the reader it replaced: both walk the
/// same bytes generically (what to read next is decided by the bytes, as a hostile sender would have it) and
/// must accept exactly the same inputs and read the same values from them. The inputs are real signed
/// messages and payloads, and tens of thousands of mutations of them (bit flips, bytes replaced, cut,
/// inserted), plus short random byte strings. Both walks apply the format's own rules on top (map keys
/// ascending unsigned integers from 1, only true and false as simple values, no negative integers, at most
/// <see cref="StrictCborReader.MaxDepth"/> levels).
/// </summary>
public class CborDifferentialTests
{
    private const int MaxCount = 4096;

    /// <summary>The walk over the strict reader: the tokens read, or null if it refused the input.</summary>
    private static List<string>? Strict(byte[] data)
    {
        var tokens = new List<string>();
        var r = new StrictCborReader(data);
        try
        {
            StrictItem(r, data, 0, tokens);
            r.End("root");
            return tokens;
        }
        catch (CborException e)
        {
            Assert.InRange(e.Offset, 0, data.Length); // the offset points into the data (or at its end)
            return null;
        }
    }

    private static void StrictItem(StrictCborReader r, byte[] data, int depth, List<string> tokens)
    {
        int major = r.Position < data.Length ? data[r.Position] >> 5 : 0;
        switch (major)
        {
            case 0: tokens.Add($"u{r.UInt(ulong.MaxValue, "u")}"); break;
            case 2: tokens.Add($"b{Convert.ToHexString(r.Bytes(MaxCount, "b").Span)}"); break;
            case 3: tokens.Add($"t{r.Text(MaxCount, "t")}"); break;
            case 4:
                int n = r.Array(MaxCount, "a");
                tokens.Add($"a{n}");
                for (int i = 0; i < n; i++)
                    StrictItem(r, data, depth + 1, tokens);
                r.EndArray("a");
                break;
            case 5:
                int pairs = r.Map(MaxCount, "m"), key = 0;
                tokens.Add($"m{pairs}");
                for (int i = 0; i < pairs; i++)
                {
                    tokens.Add($"k{r.Key(ref key, "m")}");
                    StrictItem(r, data, depth + 1, tokens);
                }
                r.EndMap("m");
                break;
            case 6:
                tokens.Add($"g{r.Tag("g")}");
                StrictItem(r, data, depth, tokens);
                break;
            default: tokens.Add($"f{r.Bool("f")}"); break; // negative integers too: refused as not a boolean
        }
    }

    /// <summary>The same walk over System.Formats.Cbor, the format's rules added by hand.</summary>
    private static List<string>? Library(byte[] data)
    {
        var tokens = new List<string>();
        var r = new CborReader(data, CborConformanceMode.Canonical, allowMultipleRootLevelValues: false);
        try
        {
            LibraryItem(r, 0, tokens);
            return r.BytesRemaining == 0 ? tokens : null;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException or FormatException or ArgumentException or Refused)
        {
            return null;
        }
    }

    private sealed class Refused : Exception;

    private static void LibraryItem(CborReader r, int depth, List<string> tokens)
    {
        if (depth >= StrictCborReader.MaxDepth && r.PeekState() is CborReaderState.StartArray or CborReaderState.StartMap)
            throw new Refused();
        switch (r.PeekState())
        {
            case CborReaderState.UnsignedInteger: tokens.Add($"u{r.ReadUInt64()}"); break;
            case CborReaderState.ByteString:
                byte[] b = r.ReadByteString();
                tokens.Add(b.Length <= MaxCount ? $"b{Convert.ToHexString(b)}" : throw new Refused());
                break;
            case CborReaderState.TextString:
                ReadOnlyMemory<byte> t = r.ReadDefiniteLengthTextStringBytes();
                tokens.Add(t.Length <= MaxCount ? $"t{new UTF8Encoding(false, true).GetString(t.Span)}" : throw new Refused());
                break;
            case CborReaderState.StartArray:
                int n = r.ReadStartArray() is { } c and <= MaxCount ? c : throw new Refused();
                tokens.Add($"a{n}");
                for (int i = 0; i < n; i++)
                    LibraryItem(r, depth + 1, tokens);
                r.ReadEndArray();
                break;
            case CborReaderState.StartMap:
                int pairs = r.ReadStartMap() is { } p and <= MaxCount ? p : throw new Refused();
                tokens.Add($"m{pairs}");
                ulong previous = 0;
                for (int i = 0; i < pairs; i++)
                {
                    ulong k = r.PeekState() == CborReaderState.UnsignedInteger ? r.ReadUInt64() : throw new Refused();
                    tokens.Add(k > previous && k <= int.MaxValue ? $"k{previous = k}" : throw new Refused());
                    LibraryItem(r, depth + 1, tokens);
                }
                r.ReadEndMap();
                break;
            case CborReaderState.Tag:
                tokens.Add($"g{(ulong)r.ReadTag()}");
                LibraryItem(r, depth, tokens);
                break;
            case CborReaderState.Boolean: tokens.Add($"f{r.ReadBoolean()}"); break;
            default: throw new Refused();
        }
    }

    private static IEnumerable<byte[]> RealInputs()
    {
        using var key = Samples.TestKey();
        SummaryMessage m = Samples.Message(dropped: 2);
        WindowSummary w = m.Windows[0];
        SummaryMessage split = m with { FilterKeyEpoch = 3, Windows = [w with { Parts = 2, Unrecorded = 9 }, w with { Part = 1, Parts = 2, Protocols = [], LostEvents = 0, Resyncs = 0 }] };
        foreach (SummaryMessage s in new[] { m, split })
        {
            byte[] payload = SummaryCodec.Encode(s);
            yield return payload;
            yield return CoseSign1.Sign(payload, s.CeId, key);
        }
    }

    [Fact]
    public void Real_messages_read_the_same_through_both()
    {
        foreach (byte[] input in RealInputs())
        {
            List<string>? strict = Strict(input);
            Assert.NotNull(strict);
            Assert.Equal(Library(input), strict);
        }
    }

    [Fact]
    public void Mutated_and_random_inputs_are_accepted_and_read_alike()
    {
        var rng = new Random(20261203);
        int accepted = 0, refused = 0;
        byte[][] real = [.. RealInputs()];
        for (int i = 0; i < 60_000; i++)
        {
            byte[] input = i % 6 == 5 ? Random(rng) : Samples.Mutate(real[rng.Next(real.Length)], rng);
            List<string>? strict = Strict(input), library = Library(input);
            if (strict is null != library is null)
                Assert.Fail($"{Convert.ToHexString(input)}: the strict reader {(strict is null ? "refused" : "accepted")} it, the library {(library is null ? "refused" : "accepted")} it");
            if (strict is null)
                refused++;
            else
            {
                Assert.Equal(library, strict);
                accepted++;
            }
        }
        // Both outcomes are exercised, or the comparison proves little.
        Assert.True(accepted > 1_000, $"only {accepted} accepted");
        Assert.True(refused > 10_000, $"only {refused} refused");
    }

    /// <summary>Short inputs made of heads and small items, so that deep nesting, tags, maps, simple values
    /// and non-shortest heads turn up often, not just random bytes.</summary>
    private static byte[] Random(Random rng)
    {
        var b = new List<byte>();
        int items = rng.Next(1, 24);
        for (int i = 0; i < items; i++)
        {
            int major = rng.Next(8), info = rng.Next(10) switch { < 6 => rng.Next(24), 6 => 24, 7 => 25, 8 => rng.Next(26, 32), _ => 31 };
            b.Add((byte)(major << 5 | info));
            if (info is >= 24 and <= 27)
                for (int k = 0; k < 1 << (info - 24); k++)
                    b.Add((byte)(rng.Next(3) == 0 ? 0 : rng.Next(256)));
        }
        return [.. b];
    }
}
