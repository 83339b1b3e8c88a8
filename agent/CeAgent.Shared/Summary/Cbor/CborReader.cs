using System.Buffers.Binary;
using System.Text;

namespace CeAgent.Shared.Summary.Cbor;

/// <summary>
/// A strict reader for the subset <see cref="CborWriter"/> produces. Anything another encoder could have
/// written differently (a longer head than needed, indefinite lengths, floats, unsorted or repeated map
/// keys) is refused, because a signature over a non-canonical encoding could hide a second meaning.
/// Every error says what was found and at which byte.
/// </summary>
public ref struct CborReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public CborReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public readonly int Position => _pos;
    public readonly bool AtEnd => _pos == _data.Length;

    public readonly CborMajor PeekMajor()
    {
        if (_pos >= _data.Length)
            throw Error("unexpected end of data");
        return (CborMajor)(_data[_pos] >> 5);
    }

    public ulong ReadUInt() => Head(CborMajor.Unsigned, "an unsigned integer");

    public ulong ReadUInt(ulong max, string what)
    {
        int at = _pos;
        ulong v = ReadUInt();
        if (v > max)
            throw new CborException($"{what}: {v} exceeds {max}", at);
        return v;
    }

    public long ReadInt()
    {
        int at = _pos;
        CborMajor major = PeekMajor();
        if (major is not (CborMajor.Unsigned or CborMajor.Negative))
            throw new CborException($"expected an integer, found major type {major}", at);
        ulong v = Head(major, "an integer");
        if (v > long.MaxValue)
            throw new CborException("integer out of range", at);
        return major == CborMajor.Unsigned ? (long)v : -1 - (long)v;
    }

    public ReadOnlySpan<byte> ReadBytes(int maxLength, string what)
    {
        int at = _pos;
        ulong n = Head(CborMajor.Bytes, $"a byte string ({what})");
        if (n > (ulong)maxLength)
            throw new CborException($"{what}: {n} bytes exceed the limit of {maxLength}", at);
        return Take((int)n);
    }

    public string ReadText(int maxLength, string what)
    {
        int at = _pos;
        ulong n = Head(CborMajor.Text, $"a text string ({what})");
        if (n > (ulong)maxLength)
            throw new CborException($"{what}: {n} bytes exceed the limit of {maxLength}", at);
        ReadOnlySpan<byte> s = Take((int)n);
        try
        {
            return new UTF8Encoding(false, true).GetString(s);
        }
        catch (DecoderFallbackException)
        {
            throw new CborException($"{what}: not valid UTF-8", at);
        }
    }

    public int ReadArray(int maxCount, string what) => Count(CborMajor.Array, maxCount, what);
    public int ReadMap(int maxCount, string what) => Count(CborMajor.Map, maxCount, what);
    public ulong ReadTag() => Head(CborMajor.Tag, "a tag");

    public bool ReadBool()
    {
        int at = _pos;
        byte b = Take(1)[0];
        return b switch
        {
            0xf5 => true,
            0xf4 => false,
            _ => throw new CborException($"expected true or false, found 0x{b:x2}", at),
        };
    }

    /// <summary>Reads a map key, which must be an unsigned integer greater than the previous key.</summary>
    public int ReadKey(ref int previous, string map)
    {
        int at = _pos;
        ulong k = Head(CborMajor.Unsigned, $"an integer key in {map}");
        if (k > int.MaxValue || (int)k <= previous)
            throw new CborException($"{map}: key {k} is out of order or repeated (after {previous})", at);
        previous = (int)k;
        return (int)k;
    }

    /// <summary>The bytes of the next complete item, for callers that hash or verify it as it was sent.</summary>
    public ReadOnlySpan<byte> ReadEncodedBytesItem(int maxLength, string what)
    {
        int start = _pos;
        ReadBytes(maxLength, what);
        return _data[start.._pos];
    }

    public readonly void ExpectEnd(string what)
    {
        if (!AtEnd)
            throw new CborException($"{_data.Length - _pos} trailing bytes after {what}", _pos);
    }

    private int Count(CborMajor major, int max, string what)
    {
        int at = _pos;
        ulong n = Head(major, $"{(major == CborMajor.Map ? "a map" : "an array")} ({what})");
        if (n > (ulong)max)
            throw new CborException($"{what}: {n} entries exceed the limit of {max}", at);
        return (int)n;
    }

    private ulong Head(CborMajor expected, string what)
    {
        int at = _pos;
        byte initial = Take(1)[0];
        var major = (CborMajor)(initial >> 5);
        int info = initial & 0x1f;
        if (major != expected)
            throw new CborException($"expected {what}, found major type {major}", at);
        ulong v = info switch
        {
            < 24 => (ulong)info,
            24 => Take(1)[0],
            25 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            26 => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
            27 => BinaryPrimitives.ReadUInt64BigEndian(Take(8)),
            31 => throw new CborException($"indefinite length is not allowed ({what})", at),
            _ => throw new CborException($"reserved additional information {info}", at),
        };
        ulong shortest = v < 24 ? 0 : v <= byte.MaxValue ? 24u : v <= ushort.MaxValue ? 25u : v <= uint.MaxValue ? 26u : 27u;
        if ((ulong)info != (v < 24 ? v : shortest))
            throw new CborException($"non-canonical encoding of {v} ({what})", at);
        return v;
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length - _pos)
            throw new CborException($"unexpected end of data (needed {n} more bytes, {_data.Length - _pos} left)", _pos);
        ReadOnlySpan<byte> s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    private readonly CborException Error(string message) => new(message, _pos);
}

/// <summary>Malformed or non-canonical CBOR; the offset points at the offending item.</summary>
public sealed class CborException(string message, int offset) : FormatException($"CBOR at byte {offset}: {message}")
{
    public int Offset { get; } = offset;
}
