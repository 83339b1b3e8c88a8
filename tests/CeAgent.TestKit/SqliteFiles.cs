namespace CeAgent.TestKit;

public static class SqliteFiles
{
    /// <summary>Removes a SQLite database with its write-ahead log and shared-memory index, so that a run starts on a fresh store.
    /// The connection pool is cleared first: Microsoft.Data.Sqlite keeps a disposed store's connection open in its
    /// pool, and a new store on the same path would be handed that connection, still on the deleted file with
    /// everything stored before (store-profile's collector runs "stored" a day of duplicates that way until 2026-12-03).</summary>
    public static void Delete(string path)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (string f in new[] { path, path + "-wal", path + "-shm" })
            File.Delete(f);
    }
}
