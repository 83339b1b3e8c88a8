using System.Security.Cryptography;
using CeAgent.Service;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeAgent.Spool;

namespace CeAgent.Tests.Spool;

/// <summary>Closed but unsigned windows survive a crash; a torn journal is reported; nothing is signed twice.</summary>
public sealed class BatchJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-journal-").FullName;
    private readonly List<string> _warnings = [];
    private static readonly MapeContext Ctx = new(0xC0000212, 32, 0x34, MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 4));
    private const long T0 = 1_795_000_080;

    private static WindowSummary Window(long start, uint lostEvents = 1) =>
        new(start, 120, new ClockQuality(ClockSource.Ntp, true, 20), [], 0, lostEvents, 0, AttributionFilter.Empty(GolombSet.DefaultP));

    public void Dispose() => Directory.Delete(_dir, true);

    private BatchJournal Journal() => new(_dir, "ce-1", Ctx);

    [Fact]
    public void Closed_windows_come_back_after_a_crash_and_a_signed_batch_clears_them()
    {
        Journal().Save([Window(T0, 3), Window(T0 + 120, 4)]);
        var back = Journal().Restore(long.MinValue, _warnings.Add);
        Assert.Equal([T0, T0 + 120], back.Select(w => w.StartUnix));
        Assert.Equal([3u, 4u], back.Select(w => w.LostEvents));
        Assert.Empty(_warnings);
        Journal().Save([]);
        Assert.Empty(Journal().Restore(long.MinValue, _warnings.Add));
        Assert.False(File.Exists(Path.Combine(_dir, "batch")));
    }

    [Fact]
    public void Windows_already_signed_are_not_restored_twice()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var spool = new DurableSpool(Path.Combine(_dir, "spool"), 1 << 20, 4096);
        var e = new SummaryEmitter("ce-1", Ctx, key, spool, batch: 2);
        e.Add(Window(T0));
        Journal().Save(e.Batched);
        e.Add(Window(T0 + 120)); // signed; the power goes before the journal is cleared
        Assert.Equal(T0 + 120, BatchJournal.LastWindowStart(spool.Newest));
        Assert.Empty(Journal().Restore(BatchJournal.LastWindowStart(spool.Newest), _warnings.Add));
    }

    [Fact]
    public void A_torn_journal_is_reported_and_loses_only_itself()
    {
        Journal().Save([Window(T0), Window(T0 + 120)]);
        string path = Path.Combine(_dir, "batch");
        byte[] data = File.ReadAllBytes(path);
        File.WriteAllBytes(path, data[..(data.Length / 2)]);
        Assert.Empty(Journal().Restore(long.MinValue, _warnings.Add));
        Assert.Contains("damaged", Assert.Single(_warnings));
    }
}
