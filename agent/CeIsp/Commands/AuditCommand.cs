using CeAgent.Shared.Cli;
using CeIsp.Audit;
using CeIsp.Config;

namespace CeIsp.Commands;

/// <summary>`ce-isp audit verify`: checks the audit log's hash chain from its first entry to its last.</summary>
internal static class AuditCommand
{
    public static Command Definition { get; } = new("audit", "check the audit log's hash chain (exit 0 intact, 1 broken)",
        $"usage: ce-isp audit verify [--config PATH]\n  --config   default {IspConfig.DefaultPath}",
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv);
        if (args.TakeWords() is not ["verify"])
            throw new CliException("say 'verify'");
        IspConfig c = IspConfig.Load(args.Get("config") ?? IspConfig.DefaultPath);
        args.RejectUnknown();
        AuditVerification v;
        try
        {
            v = AuditLog.Verify(c.AuditLog);
        }
        catch (AuditException e)
        {
            Console.Error.WriteLine($"ce-isp audit: {e.Message}");
            return 1;
        }
        if (v.Ok)
        {
            Console.Out.WriteLine($"{c.AuditLog}: {v.Entries} entries, chain intact");
            return 0;
        }
        Console.Out.WriteLine($"{c.AuditLog}: BROKEN at line {v.FirstBrokenLine} ({v.Entries} entries before it hold): {v.Problem}");
        return 1;
    }
}
