namespace CeIsp.Store;

/// <summary>A stored message's nearest stored neighbours in its CE's chain, as the store found them.</summary>
/// <param name="BelowHash">The hash of the message below, when there is one.</param>
/// <param name="AbovePrevHash">The previous hash the message above names, when there is one.</param>
public sealed record Neighbours(long? Below, byte[]? BelowHash, long? BelowEnd, long? Above, byte[]? AbovePrevHash, long? AboveFirst, long? AboveEnd);

/// <summary>
/// The chain rule, without I/O: what a newly stored message says about its CE's chain, given its
/// neighbours. Missing sequences on either side are a gap (running from the end of the last message
/// before it to the start of the first after it); a previous hash that does not match the stored one is a
/// break, checked both ways because with several collectors (or a late message) the successor may have
/// been stored first and could not check its own link.
/// </summary>
public static class ChainCheck
{
    public static List<ChainEvent> Events(StoredMessage m, Neighbours n)
    {
        long first = m.FirstTime ?? 0, last = m.EndTime ?? 0;
        var events = new List<ChainEvent>();
        if (m.Seq > 1 && n.Below != m.Seq - 1)
            events.Add(new(m.CeId, m.Seq - 1, ChainEventKind.Gap, n.Below is null ? 0 : n.BelowEnd ?? 0, first));
        if (n.Above is { } a && a != m.Seq + 1)
            events.Add(new(m.CeId, m.Seq + 1, ChainEventKind.Gap, last, n.AboveFirst ?? long.MaxValue));
        if (m.Seq > 1 && n.Below == m.Seq - 1 && n.BelowHash is { } prev && !prev.AsSpan().SequenceEqual(m.PrevHash))
            events.Add(new(m.CeId, m.Seq, ChainEventKind.Break, first, last));
        if (n.Above == m.Seq + 1 && n.AbovePrevHash is { } next && !next.AsSpan().SequenceEqual(m.Hash))
            events.Add(new(m.CeId, m.Seq + 1, ChainEventKind.Break, last, n.AboveEnd ?? last));
        return events;
    }
}
