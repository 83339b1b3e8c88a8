using CeAgent.TestKit;
using CeIsp.Store;
using Microsoft.Data.Sqlite;

namespace CeIsp.Tests.Store;

/// <summary>A new SQLite store is made with 16 KB pages; a store made before with SQLite's 4 KB keeps its
/// pages, and collecting into it and reading from it go on as before.</summary>
public sealed class SqlitePageTests : IDisposable
{
    private readonly Scenario S = new();
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"ce-isp-page-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        S.Dispose();
        SqliteFiles.Delete(_path);
    }

    private long Pragma(string name) => (long)PragmaValue(name);

    private object PragmaValue(string name)
    {
        using var db = new SqliteConnection($"Data Source={_path}");
        db.Open();
        using SqliteCommand c = db.CreateCommand();
        c.CommandText = $"PRAGMA {name}";
        return c.ExecuteScalar()!;
    }

    [Fact]
    public void A_new_store_has_16_KB_pages_and_keeps_the_write_ahead_log()
    {
        var (store, _) = S.Collect(_path, S.Ces);
        using (store)
            Assert.Equal(S.Ces.Sum(c => c.Messages.Count), store.Count("messages"));
        Assert.Equal(SummaryStore.SqlitePageSize, Pragma("page_size"));
        Assert.Equal(16384, SummaryStore.SqlitePageSize);
        Assert.Equal("wal", PragmaValue("journal_mode"));
    }

    [Fact]
    public void A_store_made_with_4_KB_pages_keeps_them_and_takes_new_messages()
    {
        using (var db = new SqliteConnection($"Data Source={_path}"))
        {
            db.Open();
            using SqliteCommand c = db.CreateCommand();
            c.CommandText = "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE older (x INTEGER)";
            c.ExecuteNonQuery();
        }
        var first = S.Ces.Take(2).ToList();
        var (store, _) = S.Collect(_path, first);
        store.Dispose();
        Assert.Equal(4096, Pragma("page_size"));
        // Opened again (the page size asked for is ignored on a store with pages): the third CE's messages go in.
        var (again, collector) = S.Collect(_path, []);
        using (again)
        {
            foreach (byte[] m in S.Ces[2].Messages)
                Assert.Equal(CeIsp.Collector.IngestOutcome.Stored, collector.Ingest($"ce/v1/{S.Ces[2].Id}/summary", m).Outcome);
            Assert.Equal(S.Ces.Sum(c => c.Messages.Count), again.Count("messages"));
            Assert.Equal(S.Ces[0].Messages.Count, again.Count("messages WHERE ce_id = 'ce-a'"));
        }
        Assert.Equal(4096, Pragma("page_size"));
        Assert.Equal("ok", PragmaValue("integrity_check"));
    }
}
