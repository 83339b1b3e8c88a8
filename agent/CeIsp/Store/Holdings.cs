namespace CeIsp.Store;

/// <summary>One row of the holdings table: a CE's window groups on one address and PSID whose starts fall
/// in one UTC hour of one store day, summed up as the earliest start, the latest end and the lowest sequence.</summary>
public sealed record Holding(int Day, uint Ipv4, long Hour, string CeId, int Psid, long FirstStart, long LastEnd, long Seq);

/// <summary>
/// Who held an address when, a row a CE and hour (pure). The resolver's first question for an observation
/// is which CEs held the address within the hour around it: asked of the window groups, that read every
/// group of every CE on the address over two hours (3,328 rows for 256 CEs on the bench's day, to return
/// 256); asked of holdings, some 700. The answer is the same: a bucket has a group starting by the range's
/// end and one ending after its start, and when the range is at least <see cref="Seconds"/> wide those two
/// conditions hold for one group of the bucket (two groups meeting one each would start more than the
/// range apart, and a bucket's starts lie within an hour). A group that started more than
/// <see cref="WindowGroups.Seconds"/> before the range but reaches into it (a long window) now counts too:
/// it held the address then.
/// </summary>
public static class Holdings
{
    /// <summary>A bucket's length: an hour of group starts.</summary>
    public const long Seconds = 3600;

    public static long HourOf(long startSeconds) => startSeconds >= 0 ? startSeconds / Seconds : (startSeconds - Seconds + 1) / Seconds;

    /// <summary>The buckets of a batch's window groups, merged by key (one row a key: PostgreSQL's upsert
    /// refuses to touch a row twice in one statement).</summary>
    public static List<Holding> Of(IEnumerable<(int Day, string CeId, long Seq, WindowGroup Group)> groups)
    {
        var rows = new Dictionary<(int, uint, long, string, int), Holding>();
        foreach (var (day, ce, seq, g) in groups)
        {
            var key = (day, g.Ipv4, HourOf(g.Start), ce, g.Psid);
            long end = g.Start + g.Span;
            rows[key] = rows.TryGetValue(key, out Holding? h)
                ? h with { FirstStart = Math.Min(h.FirstStart, g.Start), LastEnd = Math.Max(h.LastEnd, end), Seq = Math.Min(h.Seq, seq) }
                : new Holding(day, g.Ipv4, key.Item3, ce, g.Psid, g.Start, end, seq);
        }
        return [.. rows.Values];
    }
}
