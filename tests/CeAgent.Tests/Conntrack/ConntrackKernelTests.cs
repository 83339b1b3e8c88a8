using System.Text.Json;
using System.Text.RegularExpressions;
using CeAgent.Shared.MapE;
using CeAgent.TestKit;

namespace CeAgent.Tests.Conntrack;

/// <summary>`ce-agent flows` against the real kernel's conntrack in a namespace router, cross-checked
/// with conntrack-tools' own event listener on the same traffic.</summary>
public sealed partial class ConntrackKernelTests
{
    private static readonly PortSet Ports = PortSet.For(4, 8, NatRouter.Psid);

    /// <summary>Pings until the listener shows it is subscribed (an ICMP event), so no traffic is missed.</summary>
    private static void WarmUp(NatRouter r, params BackgroundProc[] listeners)
    {
        for (int i = 0; i < 50 && !listeners.All(l => l.Lines.Any(x => x.Contains("icmp"))); i++)
            r.Lan.TryExec("ping -c1 -W1 198.51.100.10 >/dev/null; sleep 0.1");
        Assert.True(listeners.All(l => l.Lines.Any(x => x.Contains("icmp"))), "the listeners never saw the warm-up ping");
    }

    [RootFact("nft", "conntrack", "socat", "ping")]
    public void Every_flow_is_seen_once_new_and_once_destroyed_with_its_public_port()
    {
        using var r = new NatRouter();
        r.ListenUpstream(8080);
        using var agent = r.StartInCe("ce-agent", "flows", "--json", "--until-idle", "4");
        // The reference gets a 32 MB event buffer, so that it does not lose events of its own under load.
        using var reference = new ConntrackReference(r.Ce);
        Assert.True(reference.ReceiveBuffer >= 16 << 20, $"the reference's event socket got {reference.ReceiveBuffer} bytes");
        WarmUp(r, agent, reference.Proc);

        r.Lan.Exec("for p in $(seq 20000 21999); do echo x > /dev/udp/198.51.100.10/$p; done", 120_000);
        r.Lan.Exec("for i in $(seq 200); do exec 3<>/dev/tcp/198.51.100.10/8080 || exit 1; exec 3>&-; done", 120_000);
        r.Lan.Exec("for i in $(seq 50); do ping -c1 -W2 198.51.100.10 >/dev/null || exit 1; done", 120_000);
        // The upstream holds each connection 5 s before closing its side: a FIN after the flush would be
        // picked up mid-stream (nf_conntrack_tcp_loose) as a new flow with no destroy in the test's time.
        r.Up.Exec("for i in $(seq 150); do [ -z \"$(ss -Htn '( sport = :8080 )')\" ] && exit 0; sleep 0.1; done; exit 1");
        r.Ce.Exec("conntrack -F 2>/dev/null");
        Assert.True(agent.WaitForExit(60_000), "flows did not go idle");
        Thread.Sleep(500);

        var events = agent.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var news = events.Where(e => e.GetProperty("event").GetString() == "new").ToList();
        var destroys = events.Where(e => e.GetProperty("event").GetString() == "destroy").ToList();
        Assert.True(news.Count >= 2250, $"only {news.Count} new events");
        Assert.Equal(news.Count, news.Select(Id).Distinct().Count());
        Assert.Equal(destroys.Count, destroys.Select(Id).Distinct().Count());
        Assert.Subset(destroys.Select(Id).ToHashSet(), news.Select(Id).ToHashSet());
        // Destroys without a new: warm-up pings sent before the subscription, nothing else.
        var orphans = destroys.Where(d => !news.Any(n => Id(n) == Id(d))).ToList();
        Assert.All(orphans, d => Assert.Equal("icmp", d.GetProperty("proto").GetString()));
        Assert.Equal(2000, news.Count(e => e.GetProperty("proto").GetString() == "udp"));
        Assert.Equal(200, news.Count(e => e.GetProperty("proto").GetString() == "tcp"));
        foreach (JsonElement e in events)
        {
            Assert.Equal(NatRouter.PublicAddress, e.GetProperty("publicAddress").GetString());
            Assert.True(Ports.Contains(e.GetProperty("publicPort").GetInt32()), $"port {e.GetProperty("publicPort")} outside the set");
            Assert.Equal("192.168.1.2", e.GetProperty("lanAddress").GetString());
        }
        foreach (JsonElement d in destroys)
        {
            DateTimeOffset start = DateTimeOffset.Parse(d.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            DateTimeOffset stop = DateTimeOffset.Parse(d.GetProperty("stop").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(stop >= start && (DateTimeOffset.UtcNow - start).TotalMinutes < 10, $"kernel times {start:O} .. {stop:O}");
        }
        // conntrack-tools saw the same flows, and nothing but them: every NAT'd TCP and UDP flow it printed
        // (NEW or DESTROY, since both carry the id), once it is known to have lost no event of its own.
        // With -o id the conntrack id is the line's last id=. The warm-up pings race the two subscriptions
        // either way (a ping NEW before one listener subscribed and after the other), so ICMP is left out.
        Assert.True(reference.Drops == 0, $"the reference lost {reference.Drops} events (receive buffer {reference.ReceiveBuffer}): {reference.Proc.Stderr}");
        var refIds = reference.Lines.Where(l => NatdFlow().IsMatch(l)).Select(l => IdField().Matches(l))
            .Select(m => uint.Parse(m[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var agentIds = news.Where(e => e.GetProperty("proto").GetString() != "icmp").Select(Id).ToHashSet();
        Assert.True(refIds.SetEquals(agentIds),
            $"only the agent: {string.Join(' ', agentIds.Except(refIds))}; only the reference: {string.Join(' ', refIds.Except(agentIds))}");
    }

    [RootFact("nft", "conntrack", "socat", "ping")]
    public void A_burst_that_overruns_a_small_buffer_is_detected_and_resynced()
    {
        using var r = new NatRouter();
        using var agent = r.StartInCe("ce-agent", ["flows", "--json", "--rcvbuf", "1024", "--until-idle", "4", .. NatRouter.Mape]);
        WarmUp(r, agent);
        r.Lan.Exec("for p in $(seq 20000 21499); do echo x > /dev/udp/198.51.100.10/$p; done", 120_000);
        r.Ce.Exec("conntrack -F 2>/dev/null");
        r.Lan.Exec("for p in $(seq 30000 30199); do echo x > /dev/udp/198.51.100.10/$p; done", 120_000);
        Assert.True(agent.WaitForExit(60_000), "flows did not go idle");
        int kernel = r.Ce.Exec("conntrack -L 2>/dev/null | grep -c 'dst=192.0.2.18' || true").Stdout.Trim() is var s && s.Length > 0 ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;

        JsonElement tracker = JsonDocument.Parse(agent.Lines.Last()).RootElement;
        Assert.Equal("tracker", tracker.GetProperty("event").GetString());
        Assert.True(tracker.GetProperty("losses").GetInt64() >= 1, "no loss was detected: " + agent.Lines.Last());
        Assert.True(tracker.GetProperty("resyncs").GetInt64() >= 1);
        Assert.Contains(agent.Lines, l => l.Contains("\"event\":\"resync\""));
        Assert.Equal(kernel, tracker.GetProperty("open").GetInt32());
    }

    [RootFact("nft", "conntrack", "ping")]
    public void Flows_the_nat_refuses_for_want_of_a_free_port_are_counted_as_the_kernel_counts_them()
    {
        using var r = new NatRouter();
        using var agent = r.StartInCe("ce-agent", ["flows", "--json", "--until-idle", "3", .. NatRouter.Mape]);
        WarmUp(r, agent);
        long before = r.InsertFailed();
        r.ExhaustPortSet(300);
        long kernel = r.InsertFailed() - before;
        Assert.True(agent.WaitForExit(60_000), "flows did not go idle");

        JsonElement tracker = JsonDocument.Parse(agent.Lines.Last()).RootElement;
        var udp = agent.Lines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "new" && e.GetProperty("proto").GetString() == "udp").ToList();
        // Every port of the set went to this one destination, and the kernel refused the flows beyond them.
        Assert.Equal(Ports.Count, udp.Select(e => e.GetProperty("publicPort").GetInt32()).Distinct().Count());
        Assert.True(kernel >= 40, $"the kernel refused only {kernel} of 300 flows for 240 ports");
        Assert.Equal(kernel, tracker.GetProperty("refused").GetInt64());
    }

    private static uint Id(JsonElement e) => e.GetProperty("id").GetUInt32();

    [GeneratedRegex(@"\bid=(\d+)")]
    private static partial Regex IdField();

    /// <summary>A TCP or UDP line of `conntrack -E` whose reply goes to the public address: a flow the NAT translated.</summary>
    [GeneratedRegex(@"^\s*\[(NEW|DESTROY)\]\s+(tcp|udp)\s.*\sdst=192\.0\.2\.18\s.*\bid=\d+")]
    private static partial Regex NatdFlow();
}
