using CeAgent.Spool;

namespace CeAgent.Tests.Spool;

public sealed class DurableSpoolTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ce-spool-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static SpoolRecord Rec(ulong seq, int size = 300) =>
        new(seq, [.. Enumerable.Range(0, size).Select(i => (byte)(seq * 31 + (ulong)i))]);

    [Fact]
    public void Stored_messages_survive_a_restart_until_acknowledged()
    {
        using (var s = new DurableSpool(_dir, 1 << 20, 4096))
        {
            s.Append([Rec(1), Rec(2)]);
            s.Append([Rec(3)]);
            s.Ack(1);
        }
        using var again = new DurableSpool(_dir, 1 << 20, 4096);
        Assert.Empty(again.OpenReport.Problems);
        // 1 was acknowledged but its segment still holds 2 and 3: it may come again (at least once).
        Assert.Equal([2UL, 3UL], again.Pending(10).Select(r => r.Seq).Where(s => s > 1));
        Assert.Equal(Rec(3).Payload, again.Pending(10).Single(r => r.Seq == 3).Payload);
        Assert.Equal(3UL, again.Newest!.Seq);
    }

    [Fact]
    public void Fully_acknowledged_segments_are_deleted_and_stay_acknowledged()
    {
        using (var s = new DurableSpool(_dir, 1 << 20, 1024))
        {
            for (ulong i = 1; i <= 12; i++)
                s.Append([Rec(i)]);
            int files = Directory.GetFiles(_dir, "*.seg").Length;
            for (ulong i = 1; i <= 9; i++)
                s.Ack(i);
            Assert.True(Directory.GetFiles(_dir, "*.seg").Length < files);
        }
        using var again = new DurableSpool(_dir, 1 << 20, 1024);
        Assert.Equal([10UL, 11UL, 12UL], again.Pending(10).Select(r => r.Seq).Where(s => s >= 10));
        Assert.DoesNotContain(again.Pending(10), r => r.Seq <= 6);
    }

    [Fact]
    public void A_full_spool_drops_the_oldest_and_counts_them()
    {
        using var s = new DurableSpool(_dir, 4096, 1024);
        for (ulong i = 1; i <= 40; i++)
            s.Append([Rec(i)]);
        Assert.True(s.Bytes <= 4096);
        Assert.True(s.Dropped > 0);
        Assert.Equal(40 - s.PendingCount, (int)s.Dropped);
        Assert.Equal(40UL, s.Pending(100)[^1].Seq);
        Assert.Equal(s.Dropped, s.TakeDropped());
        Assert.Equal(0u, s.Dropped);
    }

    [Fact]
    public void Truncated_and_corrupted_files_open_report_the_damage_and_keep_the_rest()
    {
        var rng = new Random(1125);
        for (int round = 0; round < 60; round++)
        {
            string dir = Path.Combine(_dir, round.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using (var s = new DurableSpool(dir, 1 << 20, 2048))
                for (ulong i = 1; i <= 20; i++)
                    s.Append([Rec(i, rng.Next(50, 400))]);
            string[] files = Directory.GetFiles(dir, "*.seg");
            string victim = files[rng.Next(files.Length)];
            byte[] data = File.ReadAllBytes(victim);
            if (round % 2 == 0)
                File.WriteAllBytes(victim, data[..rng.Next(data.Length)]); // a torn write
            else
            {
                for (int k = 0; k < 1 + rng.Next(5); k++)
                    data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8)); // bit rot
                File.WriteAllBytes(victim, data);
            }
            using var again = new DurableSpool(dir, 1 << 20, 2048);
            var seqs = again.Pending(100).Select(r => r.Seq).ToList();
            Assert.Equal(seqs.Distinct().Order(), seqs);
            Assert.All(again.Pending(100), r => Assert.Equal(Rec(r.Seq, r.Payload.Length).Payload, r.Payload));
            Assert.True(seqs.Count == 20 || again.OpenReport.DamagedBytes > 0, $"round {round}: lost {20 - seqs.Count} without a report");
            // Every frame the damage did not touch is still there.
            int untouchedFiles = files.Length - 1;
            Assert.True(seqs.Count >= untouchedFiles, $"round {round}: only {seqs.Count} records left");
            again.Append([Rec(21)]); // and it keeps going
            Assert.Contains(again.Pending(100), r => r.Seq == 21);
        }
    }

    [Fact]
    public void Frames_reject_bad_magic_length_and_crc()
    {
        var buf = new byte[400];
        int n = SpoolFrame.Write(buf, Rec(5, 100));
        Assert.NotNull(SpoolFrame.TryRead(buf.AsSpan(0, n), out _));
        Assert.Null(SpoolFrame.TryRead(buf.AsSpan(0, n - 1), out _));
        buf[30] ^= 1;
        Assert.Null(SpoolFrame.TryRead(buf.AsSpan(0, n), out _));
        Assert.Throws<ArgumentException>(() => new DurableSpool(_dir, 1000, 1024));
    }
}
