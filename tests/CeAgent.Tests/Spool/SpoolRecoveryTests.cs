using System.Buffers.Binary;
using CeAgent.Spool;

namespace CeAgent.Tests.Spool;

/// <summary>Opening a spool after power cuts and against crafted content: linear work, and a chain that never restarts silently.</summary>
public sealed class SpoolRecoveryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "spool-rec-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static SpoolRecord Rec(ulong seq, int size = 100) => new(seq, [.. Enumerable.Range(0, size).Select(i => (byte)(seq + (ulong)i))]);

    [Fact]
    public void A_crafted_2_mib_segment_of_frame_headers_opens_with_linear_work()
    {
        Directory.CreateDirectory(_dir);
        var data = new byte[2 << 20];
        // Every 20 bytes a header with the magic claiming a 1 MiB payload whose CRC fails: a direct check
        // of each would hash 1 MiB, about 10^11 bytes in all.
        for (int at = 0; at + SpoolFrame.HeaderSize <= data.Length; at += SpoolFrame.HeaderSize)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), SpoolFrame.Magic);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(at + 4), SpoolFrame.MaxPayload);
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(at + 8), (ulong)at);
        }
        // And one good frame in the middle, which must be found.
        int good = data.Length / 2 + 7;
        SpoolFrame.Write(data.AsSpan(good), Rec(77));
        File.WriteAllBytes(Path.Combine(_dir, "spool-00000000000000000001-1.seg"), data);
        using var s = new DurableSpool(_dir, 64 << 20);
        Assert.Equal(77UL, Assert.Single(s.Pending(10)).Seq);
        Assert.InRange(s.OpenReport.BytesHashed, data.Length, 2L * data.Length);
        Assert.Equal(data.Length - (SpoolFrame.HeaderSize + 100), s.OpenReport.DamagedBytes);
    }

    [Fact]
    public void The_scanner_finds_exactly_the_frames_a_direct_check_finds()
    {
        var rng = new Random(19);
        for (int round = 0; round < 200; round++)
        {
            var data = new byte[rng.Next(0, 3000)];
            rng.NextBytes(data);
            for (int k = rng.Next(4); k > 0; k--)
            {
                int size = rng.Next(0, 200), at = rng.Next(0, Math.Max(1, data.Length - size - SpoolFrame.HeaderSize));
                if (at + size + SpoolFrame.HeaderSize <= data.Length)
                    SpoolFrame.Write(data.AsSpan(at), Rec((ulong)k, size));
            }
            var scan = new FrameScanner(data);
            for (int i = 0; i < data.Length; i++)
                Assert.Equal(SpoolFrame.TryRead(data.AsSpan(i), out _) is not null, scan.IsFrame(i));
        }
    }

    [Fact]
    public void An_empty_newest_segment_is_reported_and_the_chain_continues_from_the_acked_state()
    {
        ulong seq;
        byte[] hash;
        using (var s = new DurableSpool(_dir, 1 << 20, 1024))
        {
            for (ulong i = 1; i <= 30; i++)
                s.Append([Rec(i, 300)]);
            for (ulong i = 1; i <= 30; i++)
                s.Ack(i);
            seq = s.Head!.Seq;
            hash = s.Head.Hash!;
        }
        Assert.Equal(30UL, seq);
        // The segments still on flash are lost to a power cut, and a new one was created but never written.
        foreach (string f in Directory.GetFiles(_dir, "*.seg"))
            File.Delete(f);
        File.WriteAllBytes(Path.Combine(_dir, "spool-00000000000000000031-9.seg"), []);
        using var again = new DurableSpool(_dir, 1 << 20, 1024);
        Assert.Contains(again.OpenReport.Problems, p => p.Contains("empty (a power cut", StringComparison.Ordinal));
        Assert.Null(again.Newest);
        // The head was saved with the watermark when the older segments went (all 30 were stored by then).
        Assert.Equal(30UL, again.Head!.Seq);
        Assert.Equal(hash, again.Head.Hash);
        // And the next signed message is 31, linked to 30.
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var ctx = new Shared.Summary.MapeContext(0xC0000212, 32, 0x34, Shared.MapE.MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 4));
        var emitter = new CeAgent.Service.SummaryEmitter("ce-1", ctx, key, again, batch: 1);
        emitter.Add(new Shared.Summary.WindowSummary(1_795_000_080, 120, new Shared.Time.ClockQuality(Shared.Time.ClockSource.Ntp, true, 20), [], 0, 0, 0,
            Shared.Summary.AttributionFilter.Empty(Shared.Summary.GolombSet.DefaultP)));
        var m = Shared.Summary.SummaryCodec.Decode(Shared.Summary.CoseSign1.Parse(again.Newest!.Payload).Payload);
        Assert.Equal(31UL, m.Seq);
        Assert.Equal(hash, m.PrevHash);
    }

    [Fact]
    public void An_acked_file_from_before_chain_heads_declares_the_break_instead_of_restarting_at_1()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "acked"), "30");
        File.WriteAllBytes(Path.Combine(_dir, "spool-00000000000000000031-9.seg"), []);
        using var s = new DurableSpool(_dir, 1 << 20);
        Assert.Equal(30UL, s.Head!.Seq);
        Assert.Null(s.Head.Hash); // unknown: the next message cannot link, and the collector records a break
        Assert.Contains(s.OpenReport.Problems, p => p.Contains("chain head lost", StringComparison.Ordinal));
    }
}
