namespace CeAgent.TestKit;

/// <summary>
/// A real PostgreSQL server for one test class: initdb into a temporary directory, listening only on a
/// Unix socket in that directory, run as the postgres user (the server refuses to run as root).
/// </summary>
public sealed class Postgres : IDisposable
{
    private static readonly string Bin = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Order().Last() + "/bin" : "/usr/lib/postgresql/15/bin";
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "ce-pg-" + Guid.NewGuid().ToString("N")[..10]);
    public int Port { get; } = 20000 + Random.Shared.Next(20000);
    public string ConnectionString => $"Host={Dir};Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public static string? Missing => File.Exists(Bin + "/initdb") ? null : $"PostgreSQL server binaries not found in {Bin} (make deps)";

    /// <param name="durable">fsync on, as in production (benchmarks); tests run faster without.</param>
    public Postgres(bool durable = false)
    {
        Directory.CreateDirectory(Dir);
        Proc.Run("chown", "postgres", Dir).EnsureSuccess("chown");
        As($"{Bin}/initdb -D {Dir}/data -U postgres -A trust --no-sync >/dev/null");
        string fsync = durable ? "on" : "off";
        As($"{Bin}/pg_ctl -D {Dir}/data -l {Dir}/log -w -o \"-p {Port} -k {Dir} -c listen_addresses='' -c fsync={fsync}\" start >/dev/null");
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string NewDatabase()
    {
        string db = "t" + Guid.NewGuid().ToString("N")[..12];
        Proc.Run("runuser", ["-u", "postgres", "--", $"{Bin}/psql", "-h", Dir, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-q", "-c", $"CREATE DATABASE {db}"]).EnsureSuccess("create database");
        return ConnectionString.Replace("Database=postgres", "Database=" + db, StringComparison.Ordinal);
    }

    private static void As(string script) => Proc.Run("runuser", ["-u", "postgres", "--", "/bin/sh", "-c", script], timeoutMs: 120_000).EnsureSuccess(script);

    public void Dispose()
    {
        Proc.Run("runuser", ["-u", "postgres", "--", "/bin/sh", "-c", $"{Bin}/pg_ctl -D {Dir}/data -m immediate stop >/dev/null"]);
        Directory.Delete(Dir, recursive: true);
    }
}
