using System.Buffers.Binary;
using System.Text;

namespace CeAgent.Shared.Summary.Cbor;

/// <summary>
/// Writes deterministic CBOR (RFC 8949 section 4.2.1): every head in its shortest form, definite lengths
/// only, no floats. Map keys are small unsigned integers written in ascending order by the callers, which
/// is exactly the bytewise order the rule asks for.
/// </summary>
public sealed class CborWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public int Length => _length;
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);
    public byte[] ToArray() => Written.ToArray();

    public CborWriter UInt(ulong value) => Head(CborMajor.Unsigned, value);

    public CborWriter Int(long value) =>
        value >= 0 ? Head(CborMajor.Unsigned, (ulong)value) : Head(CborMajor.Negative, (ulong)(-1 - value));

    public CborWriter Bytes(ReadOnlySpan<byte> value)
    {
        Head(CborMajor.Bytes, (ulong)value.Length);
        value.CopyTo(Reserve(value.Length));
        return this;
    }

    public CborWriter Text(string value)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        Head(CborMajor.Text, (ulong)n);
        Encoding.UTF8.GetBytes(value, Reserve(n));
        return this;
    }

    public CborWriter Array(int count) => Head(CborMajor.Array, (ulong)count);
    public CborWriter Map(int count) => Head(CborMajor.Map, (ulong)count);
    public CborWriter Tag(ulong tag) => Head(CborMajor.Tag, tag);
    public CborWriter Bool(bool value) => Raw(value ? (byte)0xf5 : (byte)0xf4);

    /// <summary>Copies an already encoded item (for instance a nested, separately hashed structure).</summary>
    public CborWriter Encoded(ReadOnlySpan<byte> item)
    {
        item.CopyTo(Reserve(item.Length));
        return this;
    }

    private CborWriter Raw(byte b)
    {
        Reserve(1)[0] = b;
        return this;
    }

    private CborWriter Head(CborMajor major, ulong value)
    {
        byte m = (byte)((int)major << 5);
        if (value < 24)
            return Raw((byte)(m | (byte)value));
        if (value <= byte.MaxValue)
        {
            Span<byte> s = Reserve(2);
            s[0] = (byte)(m | 24);
            s[1] = (byte)value;
        }
        else if (value <= ushort.MaxValue)
        {
            Span<byte> s = Reserve(3);
            s[0] = (byte)(m | 25);
            BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)value);
        }
        else if (value <= uint.MaxValue)
        {
            Span<byte> s = Reserve(5);
            s[0] = (byte)(m | 26);
            BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)value);
        }
        else
        {
            Span<byte> s = Reserve(9);
            s[0] = (byte)(m | 27);
            BinaryPrimitives.WriteUInt64BigEndian(s[1..], value);
        }
        return this;
    }

    private Span<byte> Reserve(int n)
    {
        if (_length + n > _buffer.Length)
            System.Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
        Span<byte> s = _buffer.AsSpan(_length, n);
        _length += n;
        return s;
    }
}

public enum CborMajor
{
    Unsigned = 0,
    Negative = 1,
    Bytes = 2,
    Text = 3,
    Array = 4,
    Map = 5,
    Tag = 6,
    Simple = 7,
}
