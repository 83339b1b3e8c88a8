using CeIsp.Store;

namespace CeIsp.Tests.Collector;

/// <summary>The chain rule without a store: every arrangement of neighbours around a message of sequence 5.</summary>
public sealed class ChainCheckTests
{
    private static readonly byte[] H4 = [4], H5 = [5], Other = [9];
    private static StoredMessage M(long seq = 5, byte[]? prev = null) => new("ce-a", seq, prev ?? H4, H5, [], 500, 560, []);

    private static string Kinds(StoredMessage m, Neighbours n) =>
        string.Join(' ', ChainCheck.Events(m, n).Select(e => $"{ChainEventKinds.Name(e.Kind)}@{e.Seq}:{e.FromTime}-{e.ToTime}"));

    [Fact]
    public void Neighbours_in_place_and_linked_are_no_event() =>
        Assert.Equal("", Kinds(M(), new(4, H4, 440, 6, H5, 560, 620)));

    [Fact]
    public void The_first_message_of_a_chain_has_nothing_below_to_miss() =>
        Assert.Equal("", Kinds(M(1), new(null, null, null, null, null, null, null)));

    [Theory]
    [InlineData(null, "gap@4:0-500")]      // nothing below: everything before is missing
    [InlineData(2L, "gap@4:300-500")]      // 3 and 4 missing: from the end of 2
    public void Missing_sequences_below_are_a_gap_from_the_last_message_before(long? below, string expected) =>
        Assert.Equal(expected, Kinds(M(), new(below, below is null ? null : [2], below is null ? null : 300, null, null, null, null)));

    [Theory]
    [InlineData(7L, 700L, "gap@6:560-700")]
    [InlineData(9L, null, "gap@6:560-9223372036854775807")] // above without windows: open-ended
    public void Missing_sequences_above_are_a_gap_to_the_next_message(long above, long? aboveFirst, string expected) =>
        Assert.Equal(expected, Kinds(M(), new(4, H4, 440, above, [1], aboveFirst, 800)));

    [Fact]
    public void A_previous_hash_that_does_not_match_is_a_break_at_the_message() =>
        Assert.Equal("break@5:500-560", Kinds(M(prev: Other), new(4, H4, 440, null, null, null, null)));

    [Fact]
    public void A_successor_that_does_not_link_back_is_a_break_at_the_successor() =>
        Assert.Equal("break@6:560-620", Kinds(M(), new(4, H4, 440, 6, Other, 560, 620)));

    [Fact]
    public void Both_sides_at_once()
    {
        Assert.Equal("gap@4:300-500 gap@6:560-700", Kinds(M(), new(2, [2], 300, 7, [1], 700, 760)));
        Assert.Equal("break@5:500-560 break@6:560-560", Kinds(M(prev: Other), new(4, H4, 440, 6, Other, 560, null)));
    }

    [Fact]
    public void A_message_without_windows_spans_nothing()
    {
        var m = M() with { FirstTime = null, EndTime = null };
        Assert.Equal("gap@4:0-0 gap@6:0-700", Kinds(m, new(null, null, null, 7, [1], 700, 760)));
    }
}
