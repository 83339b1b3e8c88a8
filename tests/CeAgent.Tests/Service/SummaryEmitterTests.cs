using System.Security.Cryptography;
using CeAgent.Service;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeAgent.Spool;

namespace CeAgent.Tests.Service;

public sealed class SummaryEmitterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-emitter-").FullName;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly MapeContext Ctx = new(0xC0000212, 32, 0x34, MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 4));
    private const long T0 = 1_795_000_080;

    private static WindowSummary Window(long start) =>
        new(start, 120, new ClockQuality(ClockSource.Ntp, true, 20), [], 0, 1, 0, AttributionFilter.Empty(GolombSet.DefaultP));

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void A_full_batch_is_signed_at_once_and_a_partial_one_once_it_is_a_batch_old()
    {
        using var spool = new DurableSpool(_dir, 1 << 20, 4096);
        var e = new SummaryEmitter("ce-1", Ctx, _key, spool, batch: 3);
        e.Add(Window(T0));
        e.Add(Window(T0 + 120));
        e.EmitIfOlder(T0 + 4 * 120 - 1); // not yet: the first window began less than 4 windows ago
        Assert.Equal(0, spool.PendingCount);
        e.EmitIfOlder(T0 + 4 * 120);
        Assert.Equal(1, spool.PendingCount);
        Assert.Equal(0, e.PendingWindows);
        foreach (int i in new[] { 10, 11, 12 })
            e.Add(Window(T0 + i * 120));
        Assert.Equal(2, spool.PendingCount);
        e.EmitIfOlder(long.MaxValue / 2); // nothing batched: nothing signed
        Assert.Equal(2UL, e.LastSeq);
    }
    [Fact]
    public void A_window_in_parts_is_signed_across_messages_each_within_the_budget()
    {
        using var spool = new DurableSpool(_dir, 4 << 20);
        var e = new SummaryEmitter("ce-1", Ctx, _key, spool, batch: 5);
        var agg = new CeAgent.Aggregation.WindowAggregator(Ctx.Ports, new byte[16], windowSeconds: 120);
        agg.SetClock(new ClockQuality(ClockSource.Ntp, true, 20));
        for (int i = 0; i < 60_000; i++)
        {
            var dst = new FlowKey(new System.Net.IPAddress([198, 18, (byte)(i >> 8), (byte)i]), 53 + (i >> 16), Proto.Udp);
            agg.Open(Proto.Udp, Ctx.Ports.PortAt(i % 240), dst, T0 * 1000 + i);
            agg.Close(Proto.Udp, Ctx.Ports.PortAt(i % 240), dst, T0 * 1000 + i + 500);
        }
        agg.Advance((T0 + 120) * 1000, new ClockQuality(ClockSource.Ntp, true, 20));
        while (agg.TryTake(out WindowSummary w))
            e.Add(w);
        e.Emit();
        var messages = new List<SummaryMessage>();
        foreach (SpoolRecord rec in spool.Pending(100))
        {
            byte[] signed = rec.Payload;
            Assert.True(signed.Length < 256 * 1024, $"message {rec.Seq} has {signed.Length} bytes");
            CoseMessage cose = CoseSign1.Parse(signed);
            Assert.True(CoseSign1.Verify(cose, _key));
            Assert.True(cose.Payload.Length <= SummaryLimits.MessageBudgetBytes);
            messages.Add(SummaryCodec.Decode(cose.Payload));
        }
        Assert.Equal((int)e.LastSeq, messages.Count);
        Assert.True(messages.Count >= 2, $"{messages.Count} message(s)");
        List<WindowSummary> parts = [.. messages.SelectMany(m => m.Windows)];
        Assert.Equal(Enumerable.Range(0, 8), parts.Select(p => p.Part));
        Assert.Equal(60_000, parts.Sum(p => p.Filter.Count));
    }
}
