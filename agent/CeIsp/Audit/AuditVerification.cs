namespace CeIsp.Audit;

/// <summary>The outcome of <see cref="AuditLog.Verify"/>: the entries checked, and the first line (1-based) whose
/// chain does not hold, with why.</summary>
public sealed record AuditVerification(bool Ok, long Entries, long? FirstBrokenLine, string? Problem);
