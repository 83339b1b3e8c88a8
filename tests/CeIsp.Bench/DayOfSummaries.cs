using System.Security.Cryptography;
using CeAgent.Bench.Agent;
using CeAgent.Bench.Workload;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;
using CeAgent.Shared.Time;
using CeIsp.Store;

namespace CeIsp.Bench;

/// <summary>One signed message as it arrives at the collector.</summary>
public sealed record Arrival(int Household, string CeId, long FirstWindow, byte[] Signed)
{
    public string Topic => $"ce/v1/{CeId}/summary";
}

/// <summary>
/// A day of the attribution benchmark's 256 households, each one a CE: flows through the agent's
/// aggregator, windows batched and signed by each CE's own key, in the order they would reach the ISP.
/// </summary>
public sealed class DayOfSummaries : IDisposable
{
    public World World { get; }
    public SummaryConfig Config { get; } = (SummaryConfig)CeAgent.Bench.Agent.AgentConfigs.Sweep[0];
    public ECDsa[] Keys { get; }

    /// <summary>The resolver's master key; each CE's filter key is derived from it, as in the field (docs/privacy.md).</summary>
    public static readonly byte[] MasterKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(0xa5 ^ i))];
    public const uint Epoch = 1;
    public List<Arrival> Arrivals { get; }
    public long Windows { get; }

    /// <param name="chainStart">Where each household's chain continues (last sequence and hash stored
    /// before this day), for a store with history; null starts every chain at sequence 1.</param>
    public DayOfSummaries(WorkloadParams workload, Func<int, (ulong LastSeq, byte[] LastHash)>? chainStart = null)
    {
        World = new World(workload);
        int n = workload.Households;
        Keys = [.. Enumerable.Range(0, n).Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256))];
        var clock = new ClockQuality(ClockSource.Ntp, true, Config.ClockErrorMs);
        var perCe = new List<Arrival>[n];
        var windows = new long[n];
        Parallel.For(0, n, h =>
        {
            var list = Config.Aggregate(World.Flows[h], PortSet.For(workload.PsidOffset, workload.PsidLength, h), clock,
                FilterKeys.Derive(MasterKey, CeId(h), Epoch));
            var (lastSeq, lastHash) = chainStart?.Invoke(h) ?? (0, null!);
            var chain = new ChainSigner(CeId(h), SummaryConfig.Context(workload, h), Keys[h], lastSeq, lastHash) { FilterKeyEpoch = Epoch };
            perCe[h] = [];
            for (int i = 0; i < list.Count; i += Config.Batch)
                perCe[h].Add(new Arrival(h, CeId(h), list[i].StartUnix, chain.Sign(list.GetRange(i, Math.Min(Config.Batch, list.Count - i)))));
            windows[h] = list.Count;
        });
        Arrivals = [.. perCe.SelectMany(a => a).OrderBy(a => a.FirstWindow).ThenBy(a => a.Household)];
        Windows = windows.Sum();
    }

    public static string CeId(int household) => $"ce-{household:x2}";
    public static string Line(int household) => $"line-{household:d3}";

    public void Enroll(SummaryStore store)
    {
        for (int h = 0; h < Keys.Length; h++)
            store.Enroll(new Device(CeId(h), Line(h), Keys[h].ExportSubjectPublicKeyInfoPem()));
    }

    public void Dispose()
    {
        foreach (ECDsa k in Keys)
            k.Dispose();
    }
}
