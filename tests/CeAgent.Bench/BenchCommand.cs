using CeAgent.Bench.Workload;
using CeAgent.Shared.Cli;

namespace CeAgent.Bench;

/// <summary>Parses the command line, runs the benchmark and writes the report.</summary>
public static class BenchCommand
{
    public static int Run(string[] args)
    {
        try
        {
            var cli = CliArgs.Parse(args, "quick");
            bool quick = cli.Flag("quick");
            var workload = new WorkloadParams
            {
                StartHour = quick ? 19 : 0,
                Hours = quick ? 2 : 24,
                Seed = ulong.Parse(cli.Get("seed") ?? "20261125"),
            };
            int perKind = int.Parse(cli.Get("queries") ?? (quick ? "200" : "2000"));
            Console.WriteLine($"attribution bench: {(quick ? "quick" : "full")}, {workload.Households} households, {workload.Hours} h, {perKind} requests a kind");
            var result = BenchRun.Execute(workload, perKind, Console.Out);
            return 0;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"ce-bench-attribution: {e.Message}");
            return 2;
        }
    }
}
