using System.Diagnostics;
using System.Text;
using CeAgent.Bench.Baselines;
using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;

using static CeAgent.Bench.Report.Invariant;

namespace CeAgent.Bench.Report;

/// <summary>
/// The report's PNG: bytes a household a day, verdict shares per request kind, and mean candidates
/// against the per-session log. Drawn by gnuplot (Debian's gnuplot-nox, in the fragment's DEPS_APT)
/// from data files written next to the script, so the plot can be redrawn by hand.
/// </summary>
public static class GnuplotPlot
{
    public static void Draw(BenchResult r, string workDir, string pngPath)
    {
        Directory.CreateDirectory(workDir);
        var agent = r.Agents[0];
        double flows = Goals.MeanFlowsPerHouseholdDay(r);
        File.WriteAllText(Path.Combine(workDir, "bytes.dat"),
            Inv($"\"ce-agent\" {agent.BytesPerHouseholdDay.Average():F0}\n") +
            Inv($"\"IPFIX (RFC 8158)\" {flows * SessionLogBaseline.IpfixBytesPerSession:F0}\n") +
            Inv($"\"syslog (RFC 7422)\" {flows * SessionLogBaseline.SyslogBytesPerSession:F0}\n"));
        var mine = r.Tallies(agent.Source);
        var logs = r.Tallies(r.SessionLog);
        var verdicts = new StringBuilder();
        var candidates = new StringBuilder();
        foreach (var k in QueryKind.All)
        {
            string label = $"\"{(k.WithPort ? "port" : "no port")} {k.Observations}x ±{k.AccuracyS}s\"";
            var t = mine[k];
            verdicts.AppendLine(Inv($"{label} {100 * t.Share(Verdict.UniqueCorrect):F2} {100 * t.Share(Verdict.Ambiguous):F2} {100 * t.Share(Verdict.None):F2} {100 * t.Share(Verdict.Wrong):F2}"));
            candidates.AppendLine(Inv($"{label} {logs[k].MeanCandidates:F3} {t.MeanCandidates:F3}"));
        }
        File.WriteAllText(Path.Combine(workDir, "verdicts.dat"), verdicts.ToString());
        File.WriteAllText(Path.Combine(workDir, "candidates.dat"), candidates.ToString());
        string script = Path.Combine(workDir, "attribution.gp");
        File.WriteAllText(script, Script(Path.GetFullPath(pngPath)));
        Run(workDir, script);
    }

    private static string Script(string png) => $$"""
        set terminal pngcairo size 1400,1300 font ",10"
        set output "{{png}}"
        set multiplot layout 3,1 title "ce-agent attribution benchmark (make bench-attribution)"
        set style fill solid 0.8 border -1
        set boxwidth 0.6
        set grid ytics
        set title "Bytes per household per day (log scale)"
        set logscale y
        set ylabel "bytes"
        plot "bytes.dat" using 0:2:xtic(1) with boxes notitle lc rgb "#4472c4", "" using 0:2:(sprintf("%.0f", $2)) with labels offset 0,1 notitle
        unset logscale y
        set title "ce-agent verdicts per request kind"
        set ylabel "% of requests"
        set yrange [0:100]
        set style data histograms
        set style histogram rowstacked
        set xtics rotate by -30
        set key outside right
        plot "verdicts.dat" using 2:xtic(1) title "unique-correct" lc rgb "#2e8b57", "" using 3 title "ambiguous" lc rgb "#f0ad4e", "" using 4 title "none" lc rgb "#999999", "" using 5 title "wrong" lc rgb "#d9534f"
        set title "Mean candidates: ce-agent vs per-session log (the strongest possible answer)"
        set ylabel "candidates"
        set autoscale y
        set yrange [0:*]
        set style histogram clustered gap 1
        plot "candidates.dat" using 2:xtic(1) title "per-session log" lc rgb "#7f7f7f", "" using 3 title "ce-agent" lc rgb "#4472c4"
        unset multiplot
        """;

    private static void Run(string workDir, string script)
    {
        var psi = new ProcessStartInfo("gnuplot", [Path.GetFullPath(script)]) { WorkingDirectory = workDir, RedirectStandardError = true };
        Process proc;
        try
        {
            proc = Process.Start(psi) ?? throw new InvalidOperationException("gnuplot did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"gnuplot is not installed (run `make deps`): {e.Message}", e);
        }
        string err = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        if (proc.ExitCode != 0)
            throw new InvalidOperationException($"gnuplot failed ({proc.ExitCode}): {err.Trim()}");
    }
}
