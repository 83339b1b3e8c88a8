using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;

namespace CeAgent.Bench.Format;

/// <summary>
/// `make bench-format`: the summary format's own costs, on one core: bytes of a one-window message, and
/// the collector's strict parse and decode of a 5-window message (every filter entry read) per message.
/// </summary>
public static class FormatBench
{
    public static int Run(string[] args)
    {
        int iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3000;
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rule = MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 4);
        var mape = MapeContext.From(MapeCalculator.Derive(rule, Ipv6Prefix.Parse("2001:db8:12:3400::/56", "prefix")));
        byte[] filterKey = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];
        var rng = new Random(15);
        WindowSummary Window(long start, int intervals) => new(start, 120, new ClockQuality(ClockSource.Ntp, true, 12),
            [new ProtoUsage(Proto.Tcp, RandomBytes(rng, 30), 40, 12), new ProtoUsage(Proto.Udp, RandomBytes(rng, 30), 20, 6)],
            0, 0, 0, GolombSet.Build(filterKey, start, 120, Enumerable.Range(0, intervals).Select(i =>
                new DestinationInterval(new FlowKey(new IPAddress(rng.Next()), 443, Proto.Tcp), start + 120 - (i % 100) - 1, start + 120 - (i % 50))).ToList()));
        byte[] one = new ChainSigner("ce-0001", mape, key).Sign([Window(1_795_000_080, 3)]);
        // 5 windows of 120 s with 60 intervals each: a busy household's evening (docs/attribution.md).
        byte[] five = new ChainSigner("ce-0001", mape, key).Sign([.. Enumerable.Range(0, 5).Select(i => Window(1_795_000_080 + 120 * i, 60))]);
        for (int i = 0; i < 200; i++)
            Decode(five);
        // CPU time as well as wall time: on a shared machine the wall clock also counts other people's work.
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
            Decode(five);
        double us = sw.Elapsed.TotalMicroseconds / iterations;
        double cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds / iterations;
        Console.WriteLine($"one-window message (3 intervals): {one.Length} bytes");
        Console.WriteLine($"5-window message (60 intervals a window): {five.Length} bytes");
        sw.Restart();
        for (int i = 0; i < iterations; i++)
            CoseSign1.Parse(five);
        double envelope = sw.Elapsed.TotalMicroseconds / iterations;
        Console.WriteLine($"strict parse + decode of the 5-window message: {us:F1} us a message ({cpuUs:F1} us CPU; {iterations} iterations), of which the envelope {envelope:F1} us");
        return 0;
    }

    private static int Decode(byte[] signed) => SummaryCodec.Decode(CoseSign1.Parse(signed).Payload).Windows.Count;

    private static byte[] RandomBytes(Random rng, int n)
    {
        byte[] b = new byte[n];
        rng.NextBytes(b);
        return b;
    }
}
