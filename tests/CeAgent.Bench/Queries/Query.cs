using CeAgent.Bench.Workload;

namespace CeAgent.Bench.Queries;

/// <summary>How a content provider logged accesses: with or without the source port, how many
/// accesses, and how accurate its clock is.</summary>
public readonly record struct QueryKind(bool WithPort, int Observations, int AccuracyS)
{
    public override string ToString() =>
        $"{(WithPort ? "port" : "no port")}, {Observations} obs, ±{AccuracyS} s";

    public static IReadOnlyList<QueryKind> All { get; } =
        [.. from port in new[] { true, false }
            from acc in new[] { 1, 30 }
            from n in new[] { 1, 2, 3, 5 }
            select new QueryKind(port, n, acc)];
}

/// <summary>
/// One logged access: the provider's timestamp and stated accuracy (the true time lies within
/// LoggedMs ± AccuracyMs), its own address, and the client's source port when it logged one.
/// The shared IPv4 is implicit: the whole simulated world is one address.
/// </summary>
public readonly record struct Observation(int LoggedMs, int AccuracyMs, DestKey Dest, int? SourcePort)
{
    public int FromMs => LoggedMs - AccuracyMs;
    public int ToMs => LoggedMs + AccuracyMs;
}

/// <summary>A disclosure request and who really sent it.</summary>
public sealed record Query(QueryKind Kind, int Truth, Observation[] Observations);
