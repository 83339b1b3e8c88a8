using System.Buffers.Binary;
using System.Numerics;

namespace CeAgent.Spool;

/// <summary>One stored message: its summary sequence number and the signed bytes.</summary>
public sealed record SpoolRecord(ulong Seq, byte[] Payload);

/// <summary>
/// The on-flash frame: magic "CES1", payload length, sequence, CRC-32C over length, sequence and
/// payload, then the payload. The magic and the CRC let a reader find the next good frame after damage.
/// </summary>
public static class SpoolFrame
{
    public const uint Magic = 0x31534543; // "CES1" little-endian
    public const int HeaderSize = 20;
    public const int MaxPayload = 1 << 20;

    public static int Write(Span<byte> dest, SpoolRecord r)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dest, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(dest[4..], r.Payload.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[8..], r.Seq);
        r.Payload.CopyTo(dest[HeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[16..], Crc(dest[4..16], r.Payload));
        return HeaderSize + r.Payload.Length;
    }

    /// <summary>A valid frame at the start of <paramref name="data"/>, or null.</summary>
    public static SpoolRecord? TryRead(ReadOnlySpan<byte> data, out int size)
    {
        size = 0;
        if (data.Length < HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(data) != Magic)
            return null;
        int len = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        if (len is < 0 or > MaxPayload || data.Length < HeaderSize + len)
            return null;
        ReadOnlySpan<byte> payload = data.Slice(HeaderSize, len);
        if (Crc(data[4..16], payload) != BinaryPrimitives.ReadUInt32LittleEndian(data[16..]))
            return null;
        size = HeaderSize + len;
        return new SpoolRecord(BinaryPrimitives.ReadUInt64LittleEndian(data[8..]), payload.ToArray());
    }

    private static uint Crc(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in header)
            crc = BitOperations.Crc32C(crc, b);
        foreach (byte b in payload)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
