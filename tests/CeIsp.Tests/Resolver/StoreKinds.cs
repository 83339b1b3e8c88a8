using System.Reflection;
using CeAgent.TestKit;
using CeIsp.Store;
using Xunit.Sdk;

namespace CeIsp.Tests.Resolver;

/// <summary>Runs a store test on SQLite. Every test that carries it also carries <see cref="OnPostgresAttribute"/>
/// (<see cref="StoreKindsTests"/> fails otherwise), so no store test can quietly run on one engine only.</summary>
public sealed class OnSqliteAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [["sqlite"]];
}

/// <summary>Runs a store test on a real PostgreSQL server; skipped, saying why, where the server cannot run.</summary>
public sealed class OnPostgresAttribute : DataAttribute
{
    public OnPostgresAttribute()
    {
        if (Environment.GetEnvironmentVariable("CE_SKIP_ROOT_TESTS") == "1")
            Skip = "SKIP: CE_SKIP_ROOT_TESTS=1 set";
        else if (!Host.IsRoot)
            Skip = "SKIP: needs root (the PostgreSQL server runs as the postgres user); run 'sudo make test'";
        else if (Postgres.Missing is { } missing)
            Skip = "SKIP: " + missing;
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [["postgres"]];
}

/// <summary>One PostgreSQL server for a test class, started on first use; each store is a fresh database.</summary>
public sealed class StoreServer : IDisposable
{
    private Postgres? _pg;

    public SummaryStore Open(string kind) => kind switch
    {
        "sqlite" => SummaryStore.Sqlite(Path.GetTempFileName()),
        "postgres" => SummaryStore.Postgres((_pg ??= new Postgres()).NewDatabase()),
        _ => throw new ArgumentException($"store kind '{kind}'"),
    };

    public void Dispose() => _pg?.Dispose();
}

public sealed class StoreKindsTests
{
    [Fact]
    public void Every_store_test_runs_on_both_engines()
    {
        var methods = typeof(StoreKindsTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<OnSqliteAttribute>() is not null || m.GetCustomAttribute<OnPostgresAttribute>() is not null).ToList();
        Assert.NotEmpty(methods);
        Assert.All(methods, m => Assert.True(m.GetCustomAttribute<OnSqliteAttribute>() is not null && m.GetCustomAttribute<OnPostgresAttribute>() is not null,
            $"{m.DeclaringType?.Name}.{m.Name} runs on one store only"));
    }
}
