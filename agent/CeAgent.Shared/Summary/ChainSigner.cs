using System.Security.Cryptography;

namespace CeAgent.Shared.Summary;

/// <summary>
/// Turns batches of windows into one CE's chain of signed messages: each message gets the next sequence
/// number and the hash of the message before it. The agent's emitter, the tests and the benchmarks all
/// sign through this, so they produce exactly what a CE publishes.
/// </summary>
public sealed class ChainSigner(string ceId, MapeContext mape, ECDsa key, ulong lastSeq = 0, byte[]? lastHash = null)
{
    private byte[] _prev = lastHash ?? [];

    public string CeId => ceId;
    public ulong LastSeq { get; private set; } = lastSeq;

    /// <summary>The epoch of the filter key the windows signed from now on were keyed with (docs/privacy.md).</summary>
    public uint FilterKeyEpoch { get; set; }

    /// <summary>Signs the next message of the chain.</summary>
    /// <param name="dropped">Messages the CE had to drop since the last one (its spool was full).</param>
    public byte[] Sign(IReadOnlyList<WindowSummary> windows, uint dropped = 0)
    {
        var m = new SummaryMessage(ceId, LastSeq + 1, _prev, mape, [.. windows], dropped, FilterKeyEpoch);
        byte[] signed = CoseSign1.Sign(SummaryCodec.Encode(m), ceId, key);
        LastSeq = m.Seq;
        _prev = SummaryChain.Hash(signed);
        return signed;
    }
}
