using System.Security.Cryptography;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;

namespace CeAgent.Shared.Tests.Summary;

/// <summary>A fixed message and a fixed, public test key: the same inputs as the documented test vector.</summary>
internal static class Samples
{
    /// <summary>A test key, published in docs/summary-format.md on purpose. Never a device's key.</summary>
    public const string TestKeyPem = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBC2hbKO6vCj17q6L
        IWXEKaAHbwP1/Py+Ttu8aCpu2m+hRANCAARniMmGLgX9FibflgwCXSjgH7HbJTWE
        U9UL0Td4OaMI5ZHLJyV+9B5eCMhQ1Fcv5azairUfauwxbHAcW+rLgJmg
        -----END PRIVATE KEY-----
        """;

    /// <summary>The filter key of the vector: bytes 00..0f.</summary>
    public static byte[] FilterKey => [.. Enumerable.Range(0, 16).Select(i => (byte)i)];

    public static ECDsa TestKey()
    {
        var k = ECDsa.Create();
        k.ImportFromPem(TestKeyPem);
        return k;
    }

    public static ECDsa OtherKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static MapeContext V6plusContext(int psid = 0x34)
    {
        var rule = MapRule.Parse("2001:db8::/40", "192.0.2.0/24", 16, 4);
        var p = MapeCalculator.Derive(rule, Ipv6Prefix.Parse($"2001:db8:12:{psid:x2}00::/56", "prefix"));
        return MapeContext.From(p);
    }

    public static readonly FlowKey[] Destinations =
    [
        new(System.Net.IPAddress.Parse("203.0.113.10"), 443, Proto.Tcp),
        new(System.Net.IPAddress.Parse("203.0.113.10"), 80, Proto.Tcp),
        new(System.Net.IPAddress.Parse("198.51.100.53"), 53, Proto.Udp),
    ];

    /// <summary>What the first vector's window lists: one interval begun before the window, one short, and one
    /// still open and cut at the window's end.</summary>
    public static readonly DestinationInterval[] Intervals =
    [
        new(Destinations[0], 1_795_000_001, 1_795_000_050),
        new(Destinations[1], 1_795_000_030, 1_795_000_031),
        new(Destinations[2], 1_795_000_040, 1_795_000_080),
    ];

    public static SummaryMessage Message(ulong seq = 7, byte[]? prev = null, uint dropped = 0)
    {
        MapeContext ctx = V6plusContext();
        var bitmap = new byte[30];
        bitmap[0] = 0b1010_0000;
        bitmap[29] = 0b0000_0001;
        var window = new WindowSummary(
            StartUnix: 1_795_000_020,
            LengthSeconds: 60,
            Clock: new ClockQuality(ClockSource.Ntp, true, 12),
            Protocols: [new ProtoUsage(Proto.Tcp, bitmap, 3, 2), new ProtoUsage(Proto.Udp, new byte[30], 1, 1)],
            Exhausted: 0,
            LostEvents: 2,
            Resyncs: 1,
            Filter: GolombSet.Build(FilterKey, 1_795_000_020, 60, Intervals));
        return new SummaryMessage("ce-0001", seq, prev ?? new byte[32], ctx, [window], dropped);
    }

    /// <summary>One random damage to a message: a bit flipped, a byte replaced, the end cut, a few bytes
    /// cut out, or junk inserted.</summary>
    public static byte[] Mutate(byte[] m, Random rng)
    {
        byte[] c = (byte[])m.Clone();
        switch (rng.Next(5))
        {
            case 0:
                c[rng.Next(c.Length)] ^= (byte)(1 << rng.Next(8));
                return c;
            case 1:
                c[rng.Next(c.Length)] = (byte)rng.Next(256);
                return c;
            case 2:
                return c[..rng.Next(c.Length)];
            case 3:
                int from = rng.Next(c.Length);
                return [.. c[..from], .. c[Math.Min(c.Length, from + rng.Next(1, 8))..]];
            default:
                byte[] junk = new byte[rng.Next(1, 16)];
                rng.NextBytes(junk);
                int at = rng.Next(c.Length);
                return [.. c[..at], .. junk, .. c[at..]];
        }
    }
}
