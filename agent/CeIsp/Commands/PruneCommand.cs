using CeAgent.Shared.Cli;
using CeIsp.Collector;
using CeIsp.Config;
using CeIsp.Store;

namespace CeIsp.Commands;

/// <summary>`ce-isp prune`: drop the stored days older than the retention span, audited.</summary>
internal static class PruneCommand
{
    public static Command Definition { get; } = new("prune", "drop stored summaries older than DAYS days (whole days; audited)",
        $"usage: ce-isp prune [--older-than DAYS] [--config PATH]\n  --older-than  default: retentionDays in the configuration ({IspConfig.DefaultRetentionDays} unless set)\n  --config      default {IspConfig.DefaultPath}",
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv);
        IspConfig c = IspConfig.Load(args.Get("config") ?? IspConfig.DefaultPath);
        int days = args.GetInt("older-than", 1, IspConfig.MaxRetentionDays) ?? c.RetentionDays;
        args.RejectUnknown();
        using SummaryStore store = SummaryStore.Open(c.Store.Kind, c.Store.Target);
        PruneResult r = Retention.Run(store, days, c.AuditLog, Environment.UserName, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Console.Out.WriteLine(Retention.Describe(r, days));
        return 0;
    }
}
