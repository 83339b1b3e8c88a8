using System.Formats.Cbor;
using System.Text;

namespace CeAgent.Shared.Summary.Cbor;

/// <summary>
/// System.Formats.Cbor's reader in canonical mode (shortest heads, definite lengths, sorted unique map
/// keys), with what the format adds on top: every length and count capped, map keys that are small
/// unsigned integers in ascending order, and every library exception turned into a
/// <see cref="CborException"/> that names the field and the byte offset. A signature over an encoding
/// that could be written two ways could hide a second meaning, so nothing lax gets through.
/// </summary>
public sealed class StrictCborReader(ReadOnlyMemory<byte> data)
{
    private readonly CborReader _r = new(data, CborConformanceMode.Canonical, allowMultipleRootLevelValues: false);
    private readonly int _length = data.Length;

    public int Position => _length - _r.BytesRemaining;

    public ulong UInt(ulong max, string what) => UInt(max, what, null);

    /// <summary>As above, the item named "<paramref name="what"/> <paramref name="field"/>" in an error: the
    /// name is put together only then, not for every field of every message.</summary>
    public ulong UInt(ulong max, string what, string? field)
    {
        int at = Position;
        ulong v;
        try { v = _r.ReadUInt64(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, Name(what, field), at); }
        return v <= max ? v : throw new CborException($"{Name(what, field)}: {v} exceeds {max}", at);
    }

    private static string Name(string what, string? field) => field is null ? what : $"{what} {field}";

    public ReadOnlyMemory<byte> Bytes(int maxLength, string what)
    {
        int at = Position;
        ReadOnlyMemory<byte> b;
        try { b = _r.ReadDefiniteLengthByteString(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, what, at); }
        return b.Length <= maxLength ? b : throw new CborException($"{what}: {b.Length} bytes exceed the limit of {maxLength}", at);
    }

    public string Text(int maxLength, string what)
    {
        int at = Position;
        ReadOnlyMemory<byte> b;
        try { b = _r.ReadDefiniteLengthTextStringBytes(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, what, at); }
        if (b.Length > maxLength)
            throw new CborException($"{what}: {b.Length} bytes exceed the limit of {maxLength}", at);
        return Utf8(b.Span, what, at);
    }

    public bool Bool(string what)
    {
        int at = Position;
        try { return _r.ReadBoolean(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, what, at); }
    }

    public ulong Tag(string what)
    {
        int at = Position;
        try { return (ulong)_r.ReadTag(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, what, at); }
    }

    public int Array(int maxCount, string what) => Count(maxCount, what, isMap: false);

    public int Map(int maxCount, string what) => Count(maxCount, what, isMap: true);

    public void EndArray(string what)
    {
        int at = Position;
        try { _r.ReadEndArray(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, what, at); }
    }

    public void EndMap(string what)
    {
        int at = Position;
        try { _r.ReadEndMap(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, what, at); }
    }

    /// <summary>Reads a map key, which must be an unsigned integer greater than the previous key.</summary>
    public int Key(ref int previous, string map)
    {
        int at = Position;
        ulong k;
        try { k = _r.ReadUInt64(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, $"a key of {map}", at); }
        if (k > int.MaxValue || (int)k <= previous)
            throw new CborException($"{map}: key {k} is out of order or repeated (after {previous})", at);
        previous = (int)k;
        return (int)k;
    }

    public void End(string what)
    {
        if (_r.BytesRemaining != 0)
            throw new CborException($"{_r.BytesRemaining} trailing bytes after {what}", Position);
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

    private int Count(int max, string what, bool isMap)
    {
        int at = Position;
        int? n;
        try { n = isMap ? _r.ReadStartMap() : _r.ReadStartArray(); }
        catch (Exception e) when (IsBadInput(e)) { throw Bad(e, what, at); }
        if (n is null)
            throw new CborException($"{what}: indefinite length is not allowed", at);
        return n <= max ? n.Value : throw new CborException($"{what}: {n} entries exceed the limit of {max}", at);
    }

    /// <summary>The library reports a wrong type as InvalidOperationException, a malformed or non-canonical
    /// item as CborContentException and a negative or oversized integer as OverflowException: all of them
    /// are bad input here.</summary>
    private static bool IsBadInput(Exception e) =>
        e is CborContentException or InvalidOperationException or OverflowException or FormatException;

    private static CborException Bad(Exception e, string what, int at) => new($"{what}: {e.Message}", at);
}

/// <summary>Malformed or non-canonical CBOR; the offset points at the offending item.</summary>
public sealed class CborException(string message, int offset) : FormatException($"CBOR at byte {offset}: {message}")
{
    public int Offset { get; } = offset;
}
