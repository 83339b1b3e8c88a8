using System.Globalization;
using System.Text.Json;
using CeAgent.Shared.Cli;
using CeIsp.Config;
using CeIsp.Fleet;
using CeIsp.Store;

namespace CeIsp.Commands;

/// <summary>`ce-isp fleet`: each CE's filter key epoch as its newest message names it, and the CEs operations
/// should look at (silent, unsynchronised clocks, port-set exhaustion, lost events, spool drops).</summary>
internal static class FleetCommand
{
    public static Command Definition { get; } = new("fleet", "report each CE's filter key epoch and health; flag stale keys, silence, bad clocks, exhaustion, drops (exit 1 if any)",
        $"""
        usage: ce-isp fleet [--silent-windows N] [--hours H] [--at TIME] [--json] [--config PATH]
          --silent-windows  flag a CE whose newest window ended more than N windows ago (default 3)
          --hours           read what CEs reported in the messages received in the last H hours (default 24)
          --at              report as of this time (RFC 3339 with offset; default now)
          --config          default {IspConfig.DefaultPath} (filterKeyEpoch, when set, checks epochs)
        """,
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "json");
        IspConfig c = IspConfig.Load(args.Get("config") ?? IspConfig.DefaultPath);
        int silent = Bounded(args.Get("silent-windows") ?? "3", "--silent-windows", 0, 1_000_000);
        int hours = Bounded(args.Get("hours") ?? "24", "--hours", 1, 24 * 366);
        DateTimeOffset at = args.Get("at") is { } t ? Time(t) : DateTimeOffset.UtcNow;
        bool json = args.Flag("json");
        args.RejectUnknown();
        using SummaryStore store = SummaryStore.Open(c.Store.Kind, c.Store.Target);
        FleetReport report = FleetReport.Build(store, c.FilterKeyEpoch, silent, hours, at);
        if (json)
            Console.Out.WriteLine(JsonSerializer.Serialize(report, FleetJson.Default.FleetReport));
        else
            Print(report);
        return report.Flagged == 0 ? 0 : 1;
    }

    private static void Print(FleetReport r)
    {
        if (r.Epochs is { } policy)
        {
            var withMessages = r.Ces.Where(e => e.Epoch is not null).ToList();
            foreach (FleetEntry e in withMessages)
                Console.Out.WriteLine($"{e.CeId}\tepoch {e.Epoch}\tseq {e.NewestSeq}\treceived {e.NewestReceived:yyyy-MM-dd HH:mm:ss}Z\t{e.EpochFlag ?? "ok"}");
            Console.Out.WriteLine($"{withMessages.Count} CE(s), {withMessages.Count(e => e.EpochFlag is not null)} flagged; current epoch {policy.Current} since {policy.Since:yyyy-MM-dd HH:mm}Z, grace {policy.GraceDays} days");
        }
        else
            Console.Out.WriteLine("filterKeyEpoch is not set in the config: filter key epochs not checked");
        foreach (FleetEntry e in r.Ces.Where(e => e.Flags.Count > 0))
            Console.Out.WriteLine($"{e.CeId}\t{e.Line}\t{string.Join("; ", e.Flags)}");
        Console.Out.WriteLine($"health: {r.Ces.Count} CE(s), {r.Ces.Count(e => e.Flags.Count > 0)} flagged (silent for more than {r.SilentWindows} windows as of {r.At:yyyy-MM-dd HH:mm}Z; what they reported in the last {r.Hours} h)");
    }

    private static int Bounded(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max ? v
            : throw new FormatException($"{name}: '{text}' is not a whole number in {min}..{max}");

    private static DateTimeOffset Time(string text) =>
        CeIsp.Resolver.OffsetTimeConverter.HasOffset(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset t) ? t
            : throw new FormatException($"--at: '{text}' is not an RFC 3339 time with a UTC offset (e.g. 2026-12-02T10:00:00Z)");
}
