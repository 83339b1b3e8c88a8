using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace CeAgent.Shared.Summary.Cbor;

/// <summary>
/// The format's CBOR, read strictly: RFC 8949's preferred (shortest) heads, definite lengths, no simple
/// values but true and false, one item at the root, every array and map read to its declared end. On top:
/// every length and count capped, map keys that are small unsigned integers in ascending order (which for
/// such keys is also canonical order, so no key can repeat), and every error a <see cref="CborException"/>
/// naming the field and the byte offset. A signature over an encoding that could be written two ways could
/// hide a second meaning, so nothing lax gets through.
/// <para>This replaced System.Formats.Cbor's reader in canonical mode, which accepted the same and did the
/// same checks, after a measurement: that reader's own code (item stack, conformance checks on every head,
/// span re-slicing) was 65 % of decoding a stored message, which the resolver does some 2,000 times for a
/// request about a popular destination (docs/benchmarks.md, session 20). The tests check it against the
/// library on real and mutated messages.</para>
/// </summary>
public sealed class StrictCborReader
{
    /// <summary>The format nests five deep (message, windows, window, protocols, usage); the cap keeps a
    /// hostile message from making the reader keep state for thousands of levels.</summary>
    public const int MaxDepth = 16;

    /// <summary>The data as its array, read directly: a ReadOnlyMemory's Span costs a type test at every head.</summary>
    private readonly byte[] _array;
    private readonly int _offset, _length;
    private readonly (long Left, bool Map)[] _open = new (long, bool)[MaxDepth];
    private int _depth, _pos;
    private bool _rootRead, _tagged;

    public StrictCborReader(ReadOnlyMemory<byte> data)
    {
        // Memory not backed by an array (never so in this code) is read from a copy.
        (_array, _offset) = MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment) ? (segment.Array!, segment.Offset) : (data.ToArray(), 0);
        _length = data.Length;
    }

    public int Position => _pos;

    private ReadOnlySpan<byte> Data => new(_array, _offset, _length);

    public ulong UInt(ulong max, string what) => UInt(max, what, null);

    /// <summary>As above, the item named "<paramref name="what"/> <paramref name="field"/>" in an error: the
    /// name is put together only then, not for every field of every message.</summary>
    public ulong UInt(ulong max, string what, string? field)
    {
        int at = _pos;
        ulong v = Item(0, what, field, at);
        return v <= max ? v : throw new CborException($"{Name(what, field)}: {v} exceeds {max}", at);
    }

    private static string Name(string what, string? field) => field is null ? what : $"{what} {field}";

    public ReadOnlyMemory<byte> Bytes(int maxLength, string what)
    {
        int at = _pos;
        ReadOnlyMemory<byte> b = Content(Item(2, what, null, at), what, at);
        return b.Length <= maxLength ? b : throw new CborException($"{what}: {b.Length} bytes exceed the limit of {maxLength}", at);
    }

    public string Text(int maxLength, string what)
    {
        int at = _pos;
        ReadOnlyMemory<byte> b = Content(Item(3, what, null, at), what, at);
        if (b.Length > maxLength)
            throw new CborException($"{what}: {b.Length} bytes exceed the limit of {maxLength}", at);
        return Utf8(b.Span, what, at);
    }

    public bool Bool(string what)
    {
        int at = _pos;
        ReadOnlySpan<byte> s = Data;
        if (at < s.Length && s[at] is 0xf4 or 0xf5)
        {
            Take(what, null, at, opens: false);
            _pos++;
            return s[at] == 0xf5;
        }
        throw new CborException($"{what}: expected true or false, found {Found(s, at)}", at);
    }

    /// <summary>A tag; the item it tags is read next, as what the tag belongs to.</summary>
    public ulong Tag(string what)
    {
        int at = _pos;
        ulong tag = Head(6, what, null, at);
        Take(what, null, at, opens: true); // the tag and its item are one item of the container
        _tagged = true;
        return tag;
    }

    public int Array(int maxCount, string what) => Count(4, maxCount, what);

    public int Map(int maxCount, string what) => Count(5, maxCount, what);

    public void EndArray(string what) => Close(map: false, what);

    public void EndMap(string what) => Close(map: true, what);

    /// <summary>Reads a map key, which must be an unsigned integer greater than the previous key.</summary>
    public int Key(ref int previous, string map)
    {
        int at = _pos;
        ulong k = Item(0, "a key of", map, at);
        if (k > int.MaxValue || (int)k <= previous)
            throw new CborException($"{map}: key {k} is out of order or repeated (after {previous})", at);
        previous = (int)k;
        return (int)k;
    }

    public void End(string what)
    {
        if (_pos != _length)
            throw new CborException($"{_length - _pos} trailing bytes after {what}", _pos);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static string Utf8(ReadOnlySpan<byte> b, string what, int at)
    {
        try
        {
            return StrictUtf8.GetString(b);
        }
        catch (DecoderFallbackException)
        {
            throw new CborException($"{what}: not valid UTF-8", at);
        }
    }

    private int Count(int major, int max, string what)
    {
        int at = _pos;
        ulong n = Item(major, what, null, at);
        if (n > (ulong)max)
            throw new CborException($"{what}: {n} entries exceed the limit of {max}", at);
        if (_depth == MaxDepth)
            throw new CborException($"{what}: nested deeper than {MaxDepth}", at);
        _open[_depth++] = ((long)n * (major == 5 ? 2 : 1), major == 5);
        return (int)n;
    }

    private void Close(bool map, string what)
    {
        int at = _pos;
        if (_tagged)
            throw new CborException($"{what}: a tag without the item it tags", at);
        if (_depth == 0 || _open[_depth - 1].Map != map)
            throw new CborException($"{what}: no {(map ? "map" : "array")} is open here", at);
        if (_open[_depth - 1].Left != 0)
            throw new CborException($"{what}: {_open[_depth - 1].Left} {(map ? "keys and values" : "items")} left unread", at);
        if (--_depth == 0)
            _rootRead = true;
    }

    /// <summary>One item's head, of the major type expected, counted as an item of the open array or map.
    /// A scalar at the root completes it; an array or map completes it when closed.</summary>
    private ulong Item(int major, string what, string? field, int at)
    {
        ulong v = Head(major, what, field, at);
        Take(what, field, at, opens: major >= 4);
        return v;
    }

    /// <param name="opens">An array, a map or a tag: the item at the root is complete only when it closes.</param>
    private void Take(string what, string? field, int at, bool opens)
    {
        if (_tagged)
            _tagged = false; // the tag took this item's place in its container already
        else if (_depth > 0)
        {
            if (_open[_depth - 1].Left == 0)
                throw new CborException($"{Name(what, field)}: the enclosing {(_open[_depth - 1].Map ? "map" : "array")} has no more items", at);
            _open[_depth - 1].Left--;
        }
        else if (_rootRead)
            throw new CborException($"{Name(what, field)}: nothing may follow the item at the root", at);
        if (_depth == 0 && !opens)
            _rootRead = true;
    }

    /// <summary>A head of the expected major type in its shortest form (the value, length or count it
    /// carries); the position moves past it.</summary>
    private ulong Head(int major, string what, string? field, int at)
    {
        ReadOnlySpan<byte> s = Data;
        if (at >= s.Length || s[at] >> 5 != major)
            throw new CborException($"{Name(what, field)}: expected {Names[major]}, found {Found(s, at)}", at);
        int info = s[at] & 31;
        if (info < 24)
        {
            _pos = at + 1;
            return (ulong)info;
        }
        if (info > 27)
            throw new CborException($"{Name(what, field)}: {(info == 31 ? "indefinite length is not allowed" : $"reserved head 0x{s[at]:x2}")}", at);
        int n = 1 << (info - 24);
        if (s.Length - at - 1 < n)
            throw new CborException($"{Name(what, field)}: the data ends inside the item's head", at);
        ReadOnlySpan<byte> b = s.Slice(at + 1, n);
        ulong v = n switch { 1 => b[0], 2 => BinaryPrimitives.ReadUInt16BigEndian(b), 4 => BinaryPrimitives.ReadUInt32BigEndian(b), _ => BinaryPrimitives.ReadUInt64BigEndian(b) };
        if (v < (n == 1 ? 24UL : 1UL << (4 * n)))
            throw new CborException($"{Name(what, field)}: {v} is not written in its shortest form", at);
        _pos = at + 1 + n;
        return v;
    }

    private ReadOnlyMemory<byte> Content(ulong length, string what, int at)
    {
        if (length > (ulong)(_length - _pos))
            throw new CborException($"{what}: {length} bytes declared, {_length - _pos} left", at);
        var b = new ReadOnlyMemory<byte>(_array, _offset + _pos, (int)length);
        _pos += (int)length;
        return b;
    }

    private static readonly string[] Names =
        ["an unsigned integer", "a negative integer", "a byte string", "a text string", "an array", "a map", "a tag", "a simple value or float"];

    private static string Found(ReadOnlySpan<byte> s, int at) => at >= s.Length ? "the end of the data" : $"{Names[s[at] >> 5]} (0x{s[at]:x2})";
}

/// <summary>Malformed or non-canonical CBOR; the offset points at the offending item.</summary>
public sealed class CborException(string message, int offset) : FormatException($"CBOR at byte {offset}: {message}")
{
    public int Offset { get; } = offset;
}
