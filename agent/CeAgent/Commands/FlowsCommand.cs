using System.Text.Json;
using System.Text.Json.Serialization;
using CeAgent.Conntrack;
using CeAgent.Shared.Cli;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Time;

namespace CeAgent.Commands;

/// <summary>`ce-agent flows`: like `conntrack -E`, but what the agent sees: NAT'd flows only.</summary>
internal static class FlowsCommand
{
    public static Command Definition { get; } = new("flows", "show NAT'd flows as the agent sees them (new/destroy events, or --dump)",
        $"""
        usage: ce-agent flows [--json] [--count N] [--dump] [--rcvbuf BYTES] [--until-idle S] [--quiet]
                              [{MapRuleArgs.Usage} --prefix PD]
          --json         one JSON object a line
          --count N      exit after N events
          --dump         print the current table and exit
          --rcvbuf       the event socket's receive buffer (default {ConntrackSource.DefaultReceiveBuffer})
          --until-idle   exit after S seconds without events
          --quiet        no line per event; at exit, the counts (for benchmarks)
          MAP-E options  also track the CE's port set: after lost events, resync from a dump and report it,
                         and print the tracker's counters at exit, with the flows the NAT refused for
                         want of a free port (the kernel's insert_failed)
        """,
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "json", "dump", "quiet");
        bool json = args.Flag("json"), dump = args.Flag("dump"), quiet = args.Flag("quiet");
        int count = args.GetInt("count", 1) ?? int.MaxValue;
        int rcvbuf = args.GetInt("rcvbuf", 1024) ?? ConntrackSource.DefaultReceiveBuffer;
        int idle = args.GetInt("until-idle", 1) ?? 0;
        FlowTracker? tracker = null;
        var printer = new Printer(json, quiet);
        if (args.Get("rule6") is not null || args.Get("prefix") is not null)
        {
            MapeParams p = MapeCalculator.Derive(MapRuleArgs.Read(args), Ipv6Prefix.Parse(args.Require("prefix"), "prefix"));
            tracker = new FlowTracker(p.Ipv4Bits, p.Ports, new NullSink());
        }
        args.RejectUnknown();
        if (!ConntrackSource.EnableTimestamps())
            Console.Error.WriteLine("ce-agent flows: cannot turn on net.netfilter.nf_conntrack_timestamp; times are when events were read");

        if (dump)
        {
            ConntrackSource.Dump(Rfc3339.NowUnixNs(), e =>
            {
                if (e.IsIpv4Snat)
                    printer.Event(e);
            });
            return 0;
        }
        using var source = new ConntrackSource(rcvbuf);
        RefusalCounter? refusals = ConntrackSource.TryStats(out var stats, out string? statsError) ? new RefusalCounter(stats.InsertFailed) : null;
        if (statsError is not null)
            Console.Error.WriteLine($"ce-agent flows: {statsError}; refused flows are not counted");
        var feed = new ConntrackFeed(source, tracker, Rfc3339.NowUnixNs);
        int seen = 0;
        long lastEvent = Environment.TickCount64;
        while (seen < count && (idle == 0 || Environment.TickCount64 - lastEvent < idle * 1000L))
        {
            var (batch, resync) = feed.Read(200);
            if (resync is { } r)
            {
                printer.Resync(r.NatFlows, r.ClosedByEstimate, r.FoundLate);
                lastEvent = Environment.TickCount64;
            }
            foreach (FlowEvent e in batch)
            {
                lastEvent = Environment.TickCount64;
                if (!e.IsIpv4Snat || e.Proto is null)
                    continue;
                printer.Event(e);
                if (++seen >= count)
                    break;
            }
        }
        long? refused = refusals is not null && ConntrackSource.TryStats(out stats, out _) ? refusals.Take(stats.InsertFailed) : null;
        if (tracker is not null)
            printer.Tracker(tracker, refused);
        else if (quiet)
            Console.Out.WriteLine($"events {seen}, kernel-reported losses {source.KernelLosses}, flows the NAT refused {refused?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}");
        return 0;
    }

    /// <summary>`flows` prints events and the tracker's counters; the opens and closes themselves go nowhere.</summary>
    private sealed class NullSink : IFlowSink
    {
        public void Opened(in TrackedFlow flow, long atNs) { }
        public void Closed(in TrackedFlow flow, long atNs, bool estimated) { }
    }

    private sealed class Printer(bool json, bool quiet)
    {
        public void Event(in FlowEvent e)
        {
            if (quiet)
                return;
            string kind = e.Kind switch { FlowEventKind.New => "new", FlowEventKind.Destroy => "destroy", _ => "flow" };
            string proto = e.Proto?.ToString().ToLowerInvariant() ?? e.L4Proto.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string? stop = e.Kind == FlowEventKind.Destroy ? Rfc3339.FromUnixNs(e.StopNs) : null;
            var line = new FlowLine(kind, e.Id, proto, FlowEvent.Address(e.LanAddress).ToString(), e.LanPort,
                FlowEvent.Address(e.DstAddress).ToString(), e.DstPort, FlowEvent.Address(e.PublicAddress).ToString(), e.PublicPort,
                Rfc3339.FromUnixNs(e.StartNs), stop);
            Console.Out.WriteLine(json
                ? JsonSerializer.Serialize(line, FlowsJson.Default.FlowLine)
                : $"[{kind,-7}] {proto,-4} {line.LanAddress}:{e.LanPort} -> {line.DstAddress}:{e.DstPort} as {line.PublicAddress}:{e.PublicPort} start {line.Start}{(stop is null ? "" : " stop " + stop)} id {e.Id}");
            Console.Out.Flush();
        }

        public void Resync(int flows, int closed, int opened) => Console.Out.WriteLine(json
            ? JsonSerializer.Serialize(new ResyncLine("resync", flows, closed, opened), FlowsJson.Default.ResyncLine)
            : $"[resync ] events were lost; the table holds {flows} NAT'd flows; {closed} closed by estimate, {opened} found late");

        public void Tracker(FlowTracker t, long? refused) => Console.Out.WriteLine(json
            ? JsonSerializer.Serialize(new TrackerLine("tracker", t.Events, t.Losses, t.Resyncs, t.OutsideSet, t.OpenFlows, t.EstimatedCloses, refused), FlowsJson.Default.TrackerLine)
            : $"[tracker] events {t.Events}, losses {t.Losses}, resyncs {t.Resyncs}, outside the set {t.OutsideSet}, open {t.OpenFlows}, estimated closes {t.EstimatedCloses}, refused by the NAT {refused?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}");
    }
}

internal sealed record FlowLine(
    string Event, uint Id, string Proto, string LanAddress, int LanPort, string DstAddress, int DstPort,
    string PublicAddress, int PublicPort, string Start, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Stop);

internal sealed record ResyncLine(string Event, int Flows, int ClosedByEstimate, int FoundLate);

/// <param name="Refused">New flows the kernel refused while the command ran (conntrack's insert_failed:
/// for the CE's NAT, no free port of the set for that destination); null where the kernel will not tell.</param>
internal sealed record TrackerLine(string Event, long Events, long Losses, long Resyncs, long OutsideSet, int Open, long EstimatedCloses, long? Refused);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FlowLine))]
[JsonSerializable(typeof(ResyncLine))]
[JsonSerializable(typeof(TrackerLine))]
internal sealed partial class FlowsJson : JsonSerializerContext;
