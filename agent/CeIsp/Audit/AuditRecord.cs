namespace CeIsp.Audit;

/// <summary>
/// What happened, as the caller tells it: who (<paramref name="Actor"/>) did what (<paramref name="Action"/>,
/// e.g. "resolve"), under which case reference, about which subject (an address, a CE), with which verdict and
/// subscriber lines, and any further detail. The log adds the time, the sequence number and the hashes.
/// </summary>
public sealed record AuditRecord(string Actor, string Action, string? Reference = null, string? Subject = null, string? Verdict = null,
    IReadOnlyList<string>? Lines = null, string? Detail = null);
