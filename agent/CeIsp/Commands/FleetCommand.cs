using CeAgent.Shared.Cli;
using CeAgent.Shared.Summary;
using CeIsp.Config;
using CeIsp.Fleet;
using CeIsp.Store;

namespace CeIsp.Commands;

/// <summary>`ce-isp fleet`: each CE's filter key epoch as its newest message names it; flags those that keep an old one.</summary>
internal static class FleetCommand
{
    public static Command Definition { get; } = new("fleet", "report each CE's filter key epoch; flag CEs that keep an old one (exit 1 if any)",
        $"usage: ce-isp fleet [--config PATH]\n  --config   default {IspConfig.DefaultPath} (needs filterKeyEpoch)",
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv);
        IspConfig c = IspConfig.Load(args.Get("config") ?? IspConfig.DefaultPath);
        args.RejectUnknown();
        EpochPolicy policy = c.FilterKeyEpoch ?? throw new FormatException("filterKeyEpoch: missing; the fleet report compares each CE with it");
        using SummaryStore store = SummaryStore.Open(c.Store.Kind, c.Store.Target);
        int flagged = 0, n = 0;
        foreach (var (ceId, seq, receivedAt, signed) in store.NewestMessages())
        {
            n++;
            uint epoch = SummaryCodec.Decode(CoseSign1.Parse(signed).Payload, readFilters: false).FilterKeyEpoch;
            var ce = new CeEpoch(ceId, seq, epoch, DateTimeOffset.FromUnixTimeSeconds(receivedAt));
            string? flag = EpochCheck.Flag(policy, ce);
            flagged += flag is null ? 0 : 1;
            Console.Out.WriteLine($"{ceId}\tepoch {epoch}\tseq {seq}\treceived {ce.ReceivedAt:yyyy-MM-dd HH:mm:ss}Z\t{flag ?? "ok"}");
        }
        Console.Out.WriteLine($"{n} CE(s), {flagged} flagged; current epoch {policy.Current} since {policy.Since:yyyy-MM-dd HH:mm}Z, grace {policy.GraceDays} days");
        return flagged == 0 ? 0 : 1;
    }
}
