namespace CeIsp.Fleet;

/// <summary>A CE's newest stored message: the epoch its filters were keyed with, and when it arrived.</summary>
public sealed record CeEpoch(string CeId, long Seq, uint Epoch, DateTimeOffset ReceivedAt);
