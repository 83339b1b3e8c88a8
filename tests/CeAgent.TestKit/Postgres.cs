namespace CeAgent.TestKit;

/// <summary>
/// A real PostgreSQL server for one test class: initdb into a temporary directory, listening only on a
/// Unix socket in that directory, run as the postgres user (the server refuses to run as root).
/// </summary>
public sealed class Postgres : IDisposable
{
    private static readonly string Bin = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Order().Last() + "/bin" : "/usr/lib/postgresql/15/bin";
    public string Dir { get; }
    public int Port { get; } = 20000 + Random.Shared.Next(20000);
    private readonly bool _keep;
    public string ConnectionString => $"Host={Dir};Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public static string? Missing => File.Exists(Bin + "/initdb") ? null : $"PostgreSQL server binaries not found in {Bin} (make deps)";

    /// <param name="durable">fsync on, as in production (benchmarks); tests run faster without.</param>
    /// <param name="keepIn">A folder whose server and databases outlive this object (a benchmark's cached
    /// store): created on first use, started again later; null for a throwaway server in /tmp.</param>
    public Postgres(bool durable = false, string? keepIn = null)
    {
        _keep = keepIn is not null;
        Dir = keepIn is null ? Path.Combine(Path.GetTempPath(), "ce-pg-" + Guid.NewGuid().ToString("N")[..10]) : Path.GetFullPath(keepIn);
        Directory.CreateDirectory(Dir);
        Proc.Run("chown", "postgres", Dir).EnsureSuccess("chown");
        if (!File.Exists(Path.Combine(Dir, "data", "PG_VERSION")))
            As($"{Bin}/initdb -D {Dir}/data -U postgres -A trust --no-sync >/dev/null");
        string fsync = durable ? "on" : "off";
        As($"{Bin}/pg_ctl -D {Dir}/data -l {Dir}/log -w -o \"-p {Port} -k {Dir} -c listen_addresses='' -c fsync={fsync}\" start >/dev/null");
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string NewDatabase() => CreateDatabase("t" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The connection string of a database of that name, which must exist.</summary>
    public string Database(string db) => ConnectionString.Replace("Database=postgres", "Database=" + db, StringComparison.Ordinal);

    public string CreateDatabase(string db)
    {
        Proc.Run("runuser", ["-u", "postgres", "--", $"{Bin}/psql", "-h", Dir, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-q", "-c", $"CREATE DATABASE {db}"]).EnsureSuccess("create database");
        return Database(db);
    }

    private static void As(string script) => Proc.Run("runuser", ["-u", "postgres", "--", "/bin/sh", "-c", script], timeoutMs: 120_000).EnsureSuccess(script);

    public void Dispose()
    {
        Proc.Run("runuser", ["-u", "postgres", "--", "/bin/sh", "-c", $"{Bin}/pg_ctl -D {Dir}/data -m {(_keep ? "fast" : "immediate")} stop >/dev/null"]);
        if (!_keep)
            Directory.Delete(Dir, recursive: true);
    }
}
