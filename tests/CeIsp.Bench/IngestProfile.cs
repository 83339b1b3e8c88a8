using System.Security.Cryptography;
using CeAgent.Shared.Summary;

namespace CeIsp.Bench;

/// <summary>CPU microseconds a message of each step of verifying, one thread, the day's messages taken in turn (after one warm-up pass).</summary>
public sealed record IngestProfileResult(double ParseUs, double VerifyUs, double DecodeUs, double HashUs);

public static class IngestProfile
{
    public static IngestProfileResult Run(DayOfSummaries day)
    {
        var keys = new Dictionary<string, ECDsa>();
        for (int h = 0; h < day.Keys.Length; h++)
        {
            var k = ECDsa.Create();
            k.ImportFromPem(day.Keys[h].ExportSubjectPublicKeyInfoPem());
            keys[DayOfSummaries.CeId(h)] = k;
        }
        IReadOnlyList<Arrival> all = day.Arrivals;
        CoseMessage[] parsed = [.. all.Select(a => CoseSign1.Parse(a.Signed))];
        double Us(Action<int> step)
        {
            for (int i = 0; i < Math.Min(200, all.Count); i++)
                step(i);
            // CPU time, not wall time: the machine is shared.
            double cpu0 = CpuClock.Self;
            for (int i = 0; i < all.Count; i++)
                step(i);
            return (CpuClock.Self - cpu0) * 1e6 / all.Count;
        }
        var r = new IngestProfileResult(
            Us(i => CoseSign1.Parse(all[i].Signed)),
            Us(i => CoseSign1.Verify(parsed[i], keys[all[i].CeId])),
            Us(i => SummaryCodec.Decode(parsed[i].Payload)),
            Us(i => SummaryChain.Hash(all[i].Signed)));
        foreach (ECDsa k in keys.Values)
            k.Dispose();
        return r;
    }
}
