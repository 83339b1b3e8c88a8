using System.Buffers.Binary;
using System.Numerics;

namespace CeAgent.Spool;

/// <summary>
/// Finds the frames of a segment in time linear in its size, whatever the bytes. Checking a candidate
/// frame's CRC directly costs its claimed length (up to 1 MiB), so a segment of crafted headers used to
/// cost length x headers (46 s for 2 MiB). CRC-32C without its final inversion is linear over GF(2), so the
/// CRC of any byte range follows from a table of prefix CRCs and a "shift by n zero bytes" operator
/// (precomputed powers, as zlib's crc32_combine): one candidate costs about 32 x 32 bit operations.
/// </summary>
public sealed class FrameScanner
{
    private static readonly uint[][] ZeroPowers = BuildPowers();
    private readonly byte[] _data;
    private readonly uint[] _prefix;

    /// <summary>Bytes run through the CRC: the prefix table once, plus each frame read.</summary>
    public long BytesHashed { get; private set; }

    public FrameScanner(byte[] data)
    {
        _data = data;
        _prefix = new uint[data.Length + 1];
        uint s = 0;
        for (int i = 0; i < data.Length; i++)
            _prefix[i + 1] = s = BitOperations.Crc32C(s, data[i]);
        BytesHashed = data.Length;
    }

    /// <summary>Whether a frame whose CRC holds starts at <paramref name="at"/>.</summary>
    public bool IsFrame(int at)
    {
        ReadOnlySpan<byte> d = _data;
        if (at < 0 || d.Length - at < SpoolFrame.HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(d[at..]) != SpoolFrame.Magic)
            return false;
        int len = BinaryPrimitives.ReadInt32LittleEndian(d[(at + 4)..]);
        if (len is < 0 or > SpoolFrame.MaxPayload || d.Length - at - SpoolFrame.HeaderSize < len)
            return false;
        uint s = 0xFFFFFFFF;
        foreach (byte b in d.Slice(at + 4, 12))
            s = BitOperations.Crc32C(s, b);
        int p = at + SpoolFrame.HeaderSize;
        uint crc = Shift(s ^ _prefix[p], len) ^ _prefix[p + len];
        return ~crc == BinaryPrimitives.ReadUInt32LittleEndian(d[(at + 16)..]);
    }

    /// <summary>The first frame at or after <paramref name="from"/>, or the data's length.</summary>
    public int Next(int from)
    {
        for (int i = Math.Max(from, 0); i + SpoolFrame.HeaderSize <= _data.Length; i++)
            if (_data[i] == 0x43 && IsFrame(i))
                return i;
        return _data.Length;
    }

    /// <summary>Reads the frame <see cref="IsFrame"/> found at <paramref name="at"/>.</summary>
    public SpoolRecord Read(int at, out int size)
    {
        SpoolRecord r = SpoolFrame.TryRead(_data.AsSpan(at), out size) ?? throw new InvalidOperationException("no frame at " + at);
        BytesHashed += size;
        return r;
    }

    /// <summary>The CRC state after feeding <paramref name="zeros"/> zero bytes to state <paramref name="s"/>.</summary>
    internal static uint Shift(uint s, int zeros)
    {
        for (int k = 0; zeros != 0; k++, zeros >>= 1)
            if ((zeros & 1) != 0)
                s = Apply(ZeroPowers[k], s);
        return s;
    }

    private static uint Apply(uint[] matrix, uint v)
    {
        uint r = 0;
        for (int i = 0; v != 0; i++, v >>= 1)
            if ((v & 1) != 0)
                r ^= matrix[i];
        return r;
    }

    /// <summary>ZeroPowers[k]: the operator of 2^k zero bytes, column i being its image of bit i.</summary>
    private static uint[][] BuildPowers()
    {
        var powers = new uint[31][];
        powers[0] = new uint[32];
        for (int i = 0; i < 32; i++)
            powers[0][i] = BitOperations.Crc32C(1u << i, (byte)0);
        for (int k = 1; k < powers.Length; k++)
        {
            powers[k] = new uint[32];
            for (int i = 0; i < 32; i++)
                powers[k][i] = Apply(powers[k - 1], powers[k - 1][i]);
        }
        return powers;
    }
}
