namespace CeIsp.Store;

/// <summary>A device the ISP enrolled: CE id, the subscriber line it serves, its public key.</summary>
public sealed record Device(string CeId, string Line, string PublicKeyPem);

/// <summary>One stored window, as the resolver's index sees it; the message holds the rest.</summary>
public sealed record WindowRow(string CeId, long Seq, int Index, long Start, int Length, uint Ipv4, int Psid, bool ClockSynchronized, long ClockErrorMs);

/// <summary>What broke a CE's chain. Stored as its lower-case name (gap, break, fork).</summary>
public enum ChainEventKind
{
    /// <summary>Sequences that never arrived (cleared when a late message fills them).</summary>
    Gap,
    /// <summary>A message whose previous hash does not match the stored predecessor.</summary>
    Break,
    /// <summary>A second, different message for a (CE, sequence) already stored.</summary>
    Fork,
}

/// <summary>A break in a CE's chain, from/to in UTC seconds.</summary>
public sealed record ChainEvent(string CeId, long Seq, ChainEventKind Kind, long FromTime, long ToTime);

public static class ChainEventKinds
{
    public static string Name(ChainEventKind k) => k switch
    {
        ChainEventKind.Gap => "gap",
        ChainEventKind.Break => "break",
        ChainEventKind.Fork => "fork",
        _ => throw new ArgumentOutOfRangeException(nameof(k), k, "not a chain event kind"),
    };

    /// <summary>The kind a stored name stands for; a name this version does not know is a named error.</summary>
    public static ChainEventKind Parse(string name) => name switch
    {
        "gap" => ChainEventKind.Gap,
        "break" => ChainEventKind.Break,
        "fork" => ChainEventKind.Fork,
        _ => throw new FormatException($"chain_events.kind: '{name}' is not gap, break or fork"),
    };
}

/// <summary>A verified summary ready to store: the chain fields and the window index rows.</summary>
/// <param name="FirstTime">The first window's start (UTC seconds), null without windows.</param>
/// <param name="EndTime">The last window's end, null without windows.</param>
public sealed record StoredMessage(string CeId, long Seq, byte[] PrevHash, byte[] Hash, byte[] Signed, long? FirstTime, long? EndTime, IReadOnlyList<WindowRow> Windows);

/// <summary>What became of a verified message in the store.</summary>
public enum StoreOutcome
{
    Stored,
    /// <summary>These very bytes were stored before.</summary>
    Duplicate,
    /// <summary>A different message under a stored (CE, sequence): kept as evidence.</summary>
    Fork,
}

/// <summary>What a stored batch came to: an outcome a message, in order, and the chain events it recorded.</summary>
public sealed record BatchResult(StoreOutcome[] Outcomes, IReadOnlyList<ChainEvent> Events);
