using CeAgent.Bench.Agent;
using CeAgent.Bench.Report;
using CeAgent.Bench.Workload;
using CeAgent.Shared.Cli;

namespace CeAgent.Bench;

/// <summary>Parses the command line, runs the benchmark and writes the report and the plot.</summary>
public static class BenchCommand
{
    private const string Usage =
        "usage: ce-bench-attribution [--quick] [--seed N] [--requests N] [--report docs/attribution.md] [--plot docs/attribution.png] [--work build/bench-attribution]";

    public static int Run(string[] args)
    {
        try
        {
            var cli = CliArgs.Parse(args, "quick");
            bool quick = cli.Flag("quick");
            var workload = new WorkloadParams
            {
                // Quick mode keeps the evening peak, the hardest hours for portless attribution.
                StartHour = quick ? 20 : 0,
                Hours = quick ? 2 : 24,
                Seed = ParseNumber(cli.Get("seed") ?? "20261125", "--seed"),
            };
            int perKind = (int)ParseNumber(cli.Get("requests") ?? (quick ? "200" : "2000"), "--requests");
            string report = cli.Get("report") ?? "docs/attribution.md";
            string plot = cli.Get("plot") ?? "docs/attribution.png";
            string work = cli.Get("work") ?? "build/bench-attribution";
            string mode = quick ? "quick (--quick)" : "full";
            Console.WriteLine($"attribution bench, {mode}: {workload.Households} households, {workload.Hours} h, {perKind} requests a kind");
            var result = BenchRun.Execute(workload, perKind, AgentConfigs.Sweep, Console.Out);
            string markdown = MarkdownReport.Render(result, mode);
            MarkdownReport.WriteInto(report, markdown);
            GnuplotPlot.Draw(result, work, plot);
            Console.WriteLine(markdown);
            Console.WriteLine($"wrote {report} and {plot}");
            return 0;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"ce-bench-attribution: {e.Message}\n{Usage}");
            return 2;
        }
    }

    private static ulong ParseNumber(string s, string option) =>
        ulong.TryParse(s, out ulong v) && v > 0 ? v : throw new CliException($"{option} wants a positive integer, not '{s}'");
}
