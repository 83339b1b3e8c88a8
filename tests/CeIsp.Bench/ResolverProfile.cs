using System.Diagnostics;
using CeAgent.Shared.MapE;
using CeAgent.Shared.Summary;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Bench;

public static class ResolverProfile
{
    public static void Run(SummaryStore store, DayOfSummaries day, int requests)
    {
        // The resolver at parallelism 1 and at one per processor, each twice (the first warms up), then the parts.
        foreach (int parallelism in new[] { 1, 0, 1, 0 })
        {
            var times = new List<double>();
            var cpus = new List<double>();
            foreach (DisclosureRequest r in ResolverBench.Requests(day, requests, 5))
            {
                TimeSpan c0 = Environment.CpuUsage.TotalTime;
                var sw = Stopwatch.StartNew();
                new AddressResolver(store, DayOfSummaries.MasterKey, parallelism).Resolve(r);
                times.Add(sw.Elapsed.TotalMilliseconds);
                cpus.Add((Environment.CpuUsage.TotalTime - c0).TotalMilliseconds);
            }
            times.Sort();
            cpus.Sort();
            Console.Error.WriteLine($"resolver, parallelism {(parallelism == 0 ? Environment.ProcessorCount : parallelism)}: wall p50 {times[times.Count / 2]:F1} ms, max {times[^1]:F1} ms; process CPU p50 {cpus[cpus.Count / 2]:F1} ms, max {cpus[^1]:F1} ms");
        }
        double near = 0, decode = 0, all = 0, cpu = 0; long rows = 0, blobs = 0, bytes = 0, holders = 0;
        foreach (DisclosureRequest r in ResolverBench.Requests(day, requests, 5))
        {
            double c0 = ThreadCpu.NowMs();
            var sw = Stopwatch.StartNew();
            new AddressResolver(store, DayOfSummaries.MasterKey, 1).Resolve(r);
            all += sw.Elapsed.TotalMilliseconds;
            cpu += ThreadCpu.NowMs() - c0;
            // The store's part alone, as the resolver asks (messages of earlier observations not sent again)
            // but for every CE (none ruled out), and the decoding of what it sent.
            var known = new HashSet<(string, long)>();
            foreach (Observation o in r.Observations)
            {
                long t = o.Time.ToUnixTimeMilliseconds();
                double n0 = ThreadCpu.NowMs();
                AddressNear n = store.Near(IpText.ParseIpv4(o.Ip, "ip"), new ListingReach(t - o.TimeAccuracyMs, t + o.TimeAccuracyMs), AddressResolver.SearchMarginSeconds, [], known);
                near += ThreadCpu.NowMs() - n0;
                rows += n.Messages.Count; holders += n.Holders.Count;
                double d0 = ThreadCpu.NowMs();
                foreach (var (ce, seq, signed) in n.Messages)
                    if (signed is not null && known.Add((ce, seq))) { blobs++; bytes += signed.Length; SummaryCodec.Decode(CoseSign1.ReadPayload(signed), readFilters: false); }
                decode += ThreadCpu.NowMs() - d0;
            }
        }
        Console.Error.WriteLine($"profile per request: resolve {all / requests:F1} ms (CPU {cpu / requests:F1} ms); per request (5 obs, unrestricted, thread CPU): Near {near / requests:F1} ms, decode {decode / requests:F1} ms; messages listed {rows / requests}, blobs {blobs / requests}, bytes {bytes / requests}, holders {holders / requests}");
    }
}
