namespace CeIsp.Collector;

public enum IngestOutcome
{
    Stored,
    Duplicate,
    /// <summary>A different message with a (CE, sequence) already stored: recorded as a chain event.</summary>
    Fork,
    Rejected,
    Enrolled,
    Ignored,
}

/// <param name="Reason">For a rejection, "kind: what was wrong".</param>
public sealed record IngestResult(IngestOutcome Outcome, string? Reason = null, string? CeId = null, long Seq = 0)
{
    /// <summary>The kind of a rejection: the reason up to its colon.</summary>
    public string? RejectionKind => Outcome == IngestOutcome.Rejected ? (Reason ?? "internal:")[..Math.Max(0, (Reason ?? "internal:").IndexOf(':', StringComparison.Ordinal))] : null;
}

/// <summary>One message as the broker delivered it.</summary>
public sealed record Incoming(string Topic, byte[] Payload);
