using System.Text.Json;
using System.Text.Json.Serialization;
using CeAgent.Clock;
using CeAgent.Shared.Cli;
using CeAgent.Shared.Time;

namespace CeAgent.Commands;

/// <summary>`ce-agent clock`: how far the agent trusts this router's clock right now, and why.</summary>
internal static class ClockCommand
{
    public static Command Definition { get; } = new("clock", "show the clock's state: synchronised or not, source, error bound, references",
        $"usage: ce-agent clock [--json] [--signal PATH] [--dev DIR]\n  --signal  busybox ntpd's hotplug signal file (default {NtpSignal.DefaultPath})\n  --dev     where to look for ptp*, pps* and rtc0 (default /dev)",
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "json");
        bool json = args.Flag("json");
        string signalPath = args.Get("signal") ?? NtpSignal.DefaultPath;
        string dev = args.Get("dev") ?? "/dev";
        args.RejectUnknown();
        var kernel = new KernelClock();
        var monitor = new ClockMonitor(kernel, Devices.Detect(dev), () => NtpSignal.TryRead(signalPath, m => Console.Error.WriteLine("ce-agent clock: " + m)));
        ClockStatus s = monitor.Update();
        var ntp = kernel.Read().Ntp;
        var out_ = new ClockJson(
            s.Quality.Synchronized, s.Quality.Source.ToString().ToLowerInvariant(), s.Quality.MaxErrorMs == uint.MaxValue ? null : s.Quality.MaxErrorMs,
            s.EstimatedErrorMs == uint.MaxValue ? null : s.EstimatedErrorMs, Rfc3339.FromUnixNs(s.UtcNs), s.BoottimeNs, s.Plausible,
            new KernelJson(ntp.Unsynchronized, ntp.State, ntp.MaxErrorUs, ntp.EstErrorUs),
            [.. s.References.Select(r => new ReferenceJson(r.Name, r.Source.ToString().ToLowerInvariant(), r.OffsetNs, r.UncertaintyNs, r.Error))]);
        if (json)
            Console.Out.WriteLine(JsonSerializer.Serialize(out_, ClockJsonContext.Default.ClockJson));
        else
        {
            Console.Out.WriteLine($"synchronized   {(out_.Synchronized ? "yes" : "no")} (source {out_.Source})");
            Console.Out.WriteLine($"error bound    {(out_.MaxErrorMs is { } m ? $"{m} ms" : "unknown")}, estimated {(out_.EstimatedErrorMs is { } e ? $"{e} ms" : "unknown")}");
            Console.Out.WriteLine($"utc            {out_.Utc}   boottime {out_.BoottimeNs} ns");
            Console.Out.WriteLine($"kernel         {(ntp.Unsynchronized ? "unsynchronised" : "synchronised")}, maxerror {ntp.MaxErrorUs} µs, esterror {ntp.EstErrorUs} µs, state {ntp.State}");
            foreach (ReferenceJson r in out_.References)
                Console.Out.WriteLine($"reference      {r.Name} ({r.Source}): {(r.OffsetNs is { } o ? $"offset {o} ns ± {r.UncertaintyNs} ns" : "failed: " + r.Error)}");
            if (out_.References.Length == 0)
                Console.Out.WriteLine("reference      none found (no /dev/ptp*, /dev/pps*, /dev/rtc0)");
        }
        return 0;
    }
}

internal sealed record KernelJson(bool Unsynchronized, int State, long MaxErrorUs, long EstErrorUs);

internal sealed record ReferenceJson(string Name, string Source, long? OffsetNs, long? UncertaintyNs, string? Error);

internal sealed record ClockJson(
    bool Synchronized, string Source, uint? MaxErrorMs, uint? EstimatedErrorMs, string Utc, long BoottimeNs, bool Plausible,
    KernelJson Kernel, ReferenceJson[] References);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ClockJson))]
internal sealed partial class ClockJsonContext : JsonSerializerContext;
