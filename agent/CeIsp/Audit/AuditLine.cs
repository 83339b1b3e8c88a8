namespace CeIsp.Audit;

/// <summary>
/// One line of the log as stored. <see cref="Prev"/> is the previous line's hash (64 zeros for the first);
/// the line's own hash is written after these fields (see <see cref="AuditChain"/>).
/// </summary>
internal sealed record AuditLine(long Seq, DateTimeOffset At, string Actor, string Action, string? Reference, string? Subject,
    string? Verdict, IReadOnlyList<string>? Lines, string? Detail, string Prev);
