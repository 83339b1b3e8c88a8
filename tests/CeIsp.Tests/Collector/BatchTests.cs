using CeAgent.TestKit;
using CeIsp.Collector;
using CeIsp.Store;
using Microsoft.Data.Sqlite;

namespace CeIsp.Tests.Collector;

/// <summary>
/// Group commit changes nothing a message-at-a-time collector would decide: for shuffled arrivals with
/// losses, repeats and a fork, batches of any size end with the same outcomes, the same stored messages,
/// the same breaks and forks as one message at a time, on both stores; and every missing run of sequences
/// is a gap, and no stored one is. (Which end of a run a gap is recorded at depends on arrival order in
/// either mode, so gaps are compared by what they cover.)
/// </summary>
public sealed class BatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-batch-").FullName;
    private readonly Scenario.Ce _ce = Scenario.NewCe("ce-b", 6);
    private readonly Scenario.Ce _fork;

    public BatchTests()
    {
        Scenario.Flows(_ce, [.. Enumerable.Range(0, 14).Select(i => (i % 4, Scenario.D1, i * 60 + 5, i * 60 + 9))]);
        Scenario.Ce fresh = Scenario.NewCe("ce-b", 6);
        fresh.Key.Dispose();
        _fork = fresh with { Key = _ce.Key, Messages = [] };
        Scenario.Flows(_fork, [(3, Scenario.D2, 7, 8), (2, Scenario.D2, 70, 80)]);
    }

    public void Dispose()
    {
        _ce.Key.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private List<byte[]> Arrivals(int seed)
    {
        var rnd = new Random(seed);
        var list = _ce.Messages.Where(_ => rnd.Next(5) != 0).ToList();
        list.AddRange(list.Where(_ => rnd.Next(4) == 0).ToList()); // repeats (a redelivery)
        list.AddRange(_fork.Messages);
        return [.. list.OrderBy(_ => rnd.Next())];
    }

    private (IngestOutcome[] Outcomes, string Events, long Messages) Run(SummaryStore store, List<byte[]> arrivals, int batch)
    {
        store.Enroll(new Device(_ce.Id, "line-b", _ce.Key.ExportSubjectPublicKeyInfoPem()));
        var c = new SummaryCollector(store, false);
        var outcomes = new List<IngestOutcome>();
        for (int i = 0; i < arrivals.Count; i += batch)
            outcomes.AddRange(c.Store(c.Verify([.. arrivals.Skip(i).Take(batch).Select(m => new Incoming($"ce/v1/{_ce.Id}/summary", m))])).Select(r => r.Outcome));
        Assert.Equal(arrivals.Count, c.Received);
        var events = store.ChainEvents(_ce.Id);
        var stored = Enumerable.Range(1, _ce.Messages.Count).Where(s => store.Message(_ce.Id, s) is not null).ToList();
        var gaps = events.Where(e => e.Kind == ChainEventKind.Gap).Select(e => e.Seq).ToList();
        Assert.DoesNotContain(gaps, g => stored.Contains((int)g));
        // Each run of missing sequences between (or before) stored ones is named by a gap inside it.
        foreach (var (a, b) in stored.Prepend(0).Zip(stored).Where(p => p.Second > p.First + 1))
            Assert.Contains(gaps, g => g > a && g < b);
        string breaks = string.Join(' ', events.Where(e => e.Kind != ChainEventKind.Gap).Select(e => $"{e.Kind}@{e.Seq}"));
        return ([.. outcomes], breaks, store.Count("messages"));
    }

    private void Same(Func<SummaryStore> open)
    {
        foreach (int seed in Enumerable.Range(1, 6))
        {
            List<byte[]> arrivals = Arrivals(seed);
            using SummaryStore one = open();
            var expected = Run(one, arrivals, 1);
            Assert.Contains(IngestOutcome.Fork, expected.Outcomes);
            foreach (int batch in new[] { 2, 5, arrivals.Count })
            {
                using SummaryStore many = open();
                var got = Run(many, arrivals, batch);
                Assert.Equal(expected.Outcomes, got.Outcomes);
                Assert.Equal(expected.Events, got.Events);
                Assert.Equal(expected.Messages, got.Messages);
            }
        }
    }

    [Fact]
    public void Batches_decide_as_single_messages_do_on_sqlite() =>
        Same(() => SummaryStore.Sqlite(Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".db")));

    /// <summary>The stores find a message's chain neighbours and clear its gap with different SQL (a batch a
    /// statement on PostgreSQL, a message a statement on SQLite), so each is the other's oracle: the same
    /// arrivals end with the same outcomes, breaks, forks and stored messages on both.</summary>
    [RootFact("runuser")]
    public void Sqlite_decides_as_postgres_does()
    {
        Assert.True(Postgres.Missing is null, Postgres.Missing);
        using var server = new Postgres();
        var events = new List<string>();
        foreach (int seed in Enumerable.Range(1, 12))
        {
            List<byte[]> arrivals = Arrivals(seed);
            using SummaryStore pg = SummaryStore.Postgres(server.NewDatabase());
            using SummaryStore lite = SummaryStore.Sqlite(Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".db"));
            var expected = Run(pg, arrivals, 3);
            var got = Run(lite, arrivals, 3);
            Assert.Equal(expected.Outcomes, got.Outcomes);
            Assert.Equal(expected.Events, got.Events);
            Assert.Equal(expected.Messages, got.Messages);
            events.Add(expected.Events);
        }
        // The arrivals reach both sides of the check: a fork stored before the chain's own message breaks the link below or above it.
        Assert.Contains(events, e => e.Contains("Break@", StringComparison.Ordinal));
    }

    [RootFact("runuser")]
    public void Batches_decide_as_single_messages_do_on_postgres()
    {
        Assert.True(Postgres.Missing is null, Postgres.Missing);
        using var server = new Postgres();
        Same(() => SummaryStore.Postgres(server.NewDatabase()));
    }
}
