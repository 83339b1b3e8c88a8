using CeAgent.Shared.Summary;
using CeIsp.Resolver;
using CeIsp.Store;
using CeIsp.Tests.Resolver;

namespace CeIsp.Tests.Store;

/// <summary>
/// The store's search of an address against the window rule, on both engines: for messages of every
/// window shape (tight and loose groups: bounds unknown, small and large; short and long windows; windows
/// far apart in one message), Near lists every message with a window the reach admits inside the search
/// range, and nothing whose groups the reach does not admit; messages the caller holds come without bytes,
/// and those of CEs it skips not at all.
/// </summary>
public sealed class NearTests(StoreServer server) : IClassFixture<StoreServer>
{
    private const long T = 1_795_000_000; // seconds, a window boundary
    private const uint Ip = 0xC0000212;

    private static List<StoredMessage> Messages()
    {
        var rng = new Random(1603);
        long[] errors = [-1, 0, 50, 59_999, 60_000, 60_001, 900_000, 3_000_000];
        int[] lengths = [60, 120, 600, 3600];
        var list = new List<StoredMessage>();
        for (int n = 0; n < 400; n++)
        {
            string ce = $"n-{n:d3}";
            int count = 1 + rng.Next(5);
            long start = T + rng.Next(-3 * 3600, 3 * 3600) / 60 * 60;
            var windows = new List<WindowRow>();
            for (int i = 0; i < count; i++)
            {
                int length = lengths[rng.Next(lengths.Length)];
                windows.Add(new WindowRow(ce, 1, i, start, length, n % 7 == 0 ? Ip + 1 : Ip, n % 16, true, errors[rng.Next(errors.Length)]));
                start += length * (rng.Next(4) == 0 ? 20 : 1); // now and then far apart
            }
            list.Add(new StoredMessage(ce, 1, new byte[32], [(byte)n, (byte)(n >> 8)], [(byte)n, (byte)(n >> 8), 7], windows[0].Start, windows[^1].Start + windows[^1].Length, windows));
        }
        return list;
    }

    private static string Text((string CeId, long Seq, byte[]? Signed) m) => $"{m.CeId}/{m.Seq}/{(m.Signed is null ? "-" : Convert.ToHexString(m.Signed))}";

    [Theory, OnSqlite, OnPostgres]
    public void Near_lists_every_message_a_window_of_which_the_reach_admits_and_no_message_it_cannot(string kind)
    {
        using SummaryStore store = server.Open(kind);
        List<StoredMessage> messages = Messages();
        Assert.All(store.StoreBatch(messages, T, 180).Outcomes, o => Assert.Equal(StoreOutcome.Stored, o));
        var rng = new Random(16);
        const long margin = AddressResolver.SearchMarginSeconds;
        int found = 0;
        for (int q = 0; q < 40; q++)
        {
            long t = (T + rng.Next(-3 * 3600, 3 * 3600)) * 1000 + rng.Next(1000);
            long accuracy = new long[] { 0, 1000, 300_000 }[q % 3];
            var reach = new ListingReach(t - accuracy, t + accuracy);
            var (from, to) = reach.StartRange(margin);
            AddressNear near = store.Near(Ip, reach, margin, [], []);
            var listed = near.Messages.Select(m => m.CeId).ToHashSet();
            Assert.Equal(near.Messages.Count, listed.Count); // each message once
            var must = messages.Where(m => m.Windows.Any(w => w.Ipv4 == Ip && w.Start >= from && w.Start <= to && reach.Admits(w.Start, w.Length, w.ClockErrorMs))).Select(m => m.CeId);
            var may = messages.Where(m => WindowGroups.Of(m.Windows).Any(g => g.Ipv4 == Ip && reach.Admits(g.Start, g.Span, g.ClockErrorMs))).Select(m => m.CeId).ToHashSet();
            Assert.Subset(listed, must.ToHashSet());
            Assert.Subset(may, listed);
            Assert.All(near.Messages, m => Assert.Equal(messages.Single(x => x.CeId == m.CeId).Signed, m.Signed));
            found += listed.Count;
            // What the caller holds comes listed, without its bytes.
            var held = near.Messages.Take(3).Select(m => (m.CeId, m.Seq)).ToList();
            AddressNear again = store.Near(Ip, reach, margin, [], held);
            Assert.Equal(listed, again.Messages.Select(m => m.CeId).ToHashSet());
            Assert.All(again.Messages, m => Assert.Equal(held.Contains((m.CeId, m.Seq)), m.Signed is null));
            // Skipped CEs (ruled out already): their messages are not listed, their holding still is.
            var skip = listed.Where((_, i) => i % 2 == 0).ToHashSet();
            AddressNear skipping = store.Near(Ip, reach, margin, skip, held);
            Assert.Equal(listed.Except(skip).ToHashSet(), skipping.Messages.Select(m => m.CeId).ToHashSet());
            Assert.Equal(near.Holders.ToHashSet(), skipping.Holders.ToHashSet());
            Assert.All(skipping.Messages, m => Assert.Equal(held.Contains((m.CeId, m.Seq)), m.Signed is null));
            // The holders after the messages: the same answer, streamed in the other order.
            foreach (bool last in new[] { false, true })
            {
                var events = new List<string>();
                var streamed = new List<(string, long, byte[]?)>();
                IReadOnlyList<Holder> holders = [];
                store.Near(Ip, reach, margin, skip, held, h => { holders = h; events.Add("holders"); },
                    (ce, list) => { events.Add(ce); streamed.AddRange(list.Select(m => (ce, m.Seq, m.Signed))); }, holdersLast: last);
                Assert.Equal(last ? events.Count - 1 : 0, events.IndexOf("holders"));
                Assert.Equal(events.Count, events.Distinct().Count()); // the holders and each CE handed over once
                Assert.Equal(skipping.Holders.ToHashSet(), holders.ToHashSet());
                Assert.Equal(skipping.Messages.Select(Text), streamed.Select(Text));
            }
        }
        Assert.InRange(found, 40, 40 * 400);
    }
}
