using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using CeAgent.Bench.Workload;
using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;

namespace CeIsp.Bench;

/// <summary>
/// `make bench-codec`: what each CPU step of the ISP side costs on the day's real messages, one thread, no
/// I/O (docs/benchmarks.md, "ISP CPU paths"). The collector pays parse, verify, strict decode and hash a
/// message; the resolver pays the envelope read and header decode a stored message, a lookup a searched
/// window and a key derivation a CE. Thread CPU time, not wall time: the machine is shared.
/// </summary>
public static class CodecBench
{
    /// <summary>A destination none of the day's flows used: the common case, a window searched and missed.</summary>
    private static readonly FlowKey Absent = new(IPAddress.Parse("198.51.100.77"), 443, Proto.Tcp);

    private static double MinCpuMs = 500;

    public static int Cli(string[] args)
    {
        if (Array.IndexOf(args, "--ms") is var m and >= 0 && m + 1 < args.Length)
            MinCpuMs = double.Parse(args[m + 1], CultureInfo.InvariantCulture);
        var workload = args.Contains("--full") ? new WorkloadParams() : new WorkloadParams { StartHour = 20, Hours = 2 };
        Console.Error.WriteLine($"bench-codec: simulating {workload.Hours} h of {workload.Households} CEs ...");
        using var day = new DayOfSummaries(workload);
        byte[][] signed = [.. day.Arrivals.Select(a => a.Signed)];
        ECDsa[] keys = [.. day.Arrivals.Select(a => day.Keys[a.Household])];
        CoseMessage[] parsed = [.. signed.Select(CoseSign1.Parse)];
        var deriver = new FilterKeyDeriver(DayOfSummaries.MasterKey);
        byte[][] hashes = [.. signed.Select(SigStructureHash)];
        SummaryMessage[] decoded = [.. parsed.Select(p => SummaryCodec.Decode(p.Payload))];
        var windows = decoded.SelectMany(m => m.Windows.Select(w => (m.CeId, w))).ToArray();
        byte[][] filterKeys = [.. windows.Select(x => FilterKeys.Derive(DayOfSummaries.MasterKey, x.CeId, DayOfSummaries.Epoch))];
        // A listed destination for the hit case: the first interval of each window, rebuilt from the day.
        long entries = windows.Sum(x => (long)x.w.Filter.Count);

        var rows = new List<(string Step, string Unit, Func<double> Us)>
        {
            ("COSE parse (strict walk, payload copied)", "message", () => Us(signed.Length, i => CoseSign1.Parse(signed[i]))),
            ("ES256 verify (Sig_structure hashed, ECDsa.VerifyHash)", "message", () => Us(signed.Length, i => CoseSign1.Verify(parsed[i], keys[i]))),
            ("ECDsa.VerifyHash alone (hash precomputed)", "message", () => Us(signed.Length, i => keys[i].VerifyHash(hashes[i], signed[i].AsSpan(^64..), DSASignatureFormat.IeeeP1363FixedFieldConcatenation))),
            ("COSE payload read, no copy (resolver)", "message", () => Us(signed.Length, i => CoseSign1.ReadPayload(signed[i]))),
            ("strict decode, every filter entry", "message", () => Us(signed.Length, i => SummaryCodec.Decode(parsed[i].Payload))),
            ("SHA-256 of the signed message (chain)", "message", () => Us(signed.Length, i => SummaryChain.Hash(signed[i]))),
            ("decode without filters (resolver, stored message)", "message", () => Us(signed.Length, i => SummaryCodec.Decode(parsed[i].Payload, readFilters: false))),
            ("parse + decode without filters (resolver before)", "message", () => Us(signed.Length, i => SummaryCodec.Decode(CoseSign1.Parse(signed[i]).Payload, readFilters: false))),
            ("payload read + decode without filters", "message", () => Us(signed.Length, i => SummaryCodec.Decode(CoseSign1.ReadPayload(signed[i]), readFilters: false))),
            ("validate a window's filter", "window", () => Us(windows.Length, i => GolombSet.Validate(windows[i].w.Filter, windows[i].w.LengthSeconds))),
            ("lookup, destination absent", "window", () => Us(windows.Length, i => GolombSet.Lookup(windows[i].w.Filter, filterKeys[i], windows[i].w.StartUnix, windows[i].w.LengthSeconds, Absent))),
            ("lookup and time test without a list (ListsAt), absent", "window", () => Us(windows.Length, i => GolombSet.ListsAt(windows[i].w.Filter, filterKeys[i], windows[i].w.StartUnix, windows[i].w.LengthSeconds, Absent, 0, long.MaxValue / 2, 0))),
            ("filter key derivation (HKDF-SHA256)", "CE", () => Us(windows.Length, i => FilterKeys.Derive(DayOfSummaries.MasterKey, windows[i].CeId, DayOfSummaries.Epoch))),
            ("filter key derivation, master extracted once (FilterKeyDeriver)", "CE", () => Us(windows.Length, i => deriver.Derive(windows[i].CeId, DayOfSummaries.Epoch))),
        };
        var inv = CultureInfo.InvariantCulture;
        Console.Out.WriteLine(string.Create(inv, $"{signed.Length:N0} messages, {windows.Length:N0} windows, {entries:N0} filter entries ({(double)entries / windows.Length:F1} a window); {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        Console.Out.WriteLine();
        Console.Out.WriteLine("| step | per | CPU us |");
        Console.Out.WriteLine("|---|---|---:|");
        // --only TEXT: the steps whose name contains it (for a profiler run on one step).
        string? only = Array.IndexOf(args, "--only") is var o and >= 0 && o + 1 < args.Length ? args[o + 1] : null;
        foreach (var (step, unit, us) in rows.Where(r => only is null || r.Step.Contains(only, StringComparison.Ordinal)))
            Console.Out.WriteLine(string.Create(inv, $"| {step} | {unit} | {us():F2} |"));
        return 0;
    }

    /// <summary>SHA-256 of the message's Sig_structure, rebuilt from the COSE library's own encoding, so that
    /// the signature check alone can be timed.</summary>
    private static byte[] SigStructureHash(byte[] signed)
    {
        var w = new System.Formats.Cbor.CborWriter();
        w.WriteStartArray(4);
        w.WriteTextString("Signature1");
        w.WriteByteString([0xa1, 0x01, 0x26]);
        w.WriteByteString([]);
        w.WriteByteString(CoseSign1.Parse(signed).Payload);
        w.WriteEndArray();
        return SHA256.HashData(w.Encode());
    }

    /// <summary>Thread CPU microseconds of one step over items 0..n-1, after a warm-up pass, repeated until
    /// at least half a CPU-second (--ms) has been spent so that cheap steps are not lost in the clock's grain.</summary>
    private static double Us(int n, Action<int> step)
    {
        for (int i = 0; i < n; i++)
            step(i);
        long done = 0;
        double t0 = ThreadCpu.NowMs(), spent;
        do
        {
            for (int i = 0; i < n; i++)
                step(i);
            done += n;
        }
        while ((spent = ThreadCpu.NowMs() - t0) < MinCpuMs);
        return spent * 1000 / done;
    }
}
