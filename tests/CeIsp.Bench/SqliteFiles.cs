namespace CeIsp.Bench;

public static class SqliteFiles
{
    /// <summary>Removes a SQLite database with its write-ahead log and shared-memory index, so that a run starts on a fresh store.</summary>
    public static void Delete(string path)
    {
        foreach (string f in new[] { path, path + "-wal", path + "-shm" })
            File.Delete(f);
    }
}
