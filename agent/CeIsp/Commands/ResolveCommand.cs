using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CeAgent.Shared.Cli;
using CeIsp.Audit;
using CeIsp.Config;
using CeIsp.Resolver;
using CeIsp.Store;

namespace CeIsp.Commands;

/// <summary>`ce-isp resolve`: a disclosure request in, a verdict out, and a line in the audit log.</summary>
internal static class ResolveCommand
{
    public static Command Definition { get; } = new("resolve", "answer a disclosure request (unique / ambiguous / none / unknown), with evidence",
        $"usage: ce-isp resolve --request FILE [--json] [--config PATH]\n  --config   default {IspConfig.DefaultPath}",
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "json");
        string requestFile = args.Require("request");
        bool json = args.Flag("json");
        IspConfig c = IspConfig.Load(args.Get("config") ?? IspConfig.DefaultPath);
        args.RejectUnknown();
        string text = ConfigFile.ReadText(requestFile);
        DisclosureRequest request = DisclosureRequest.Parse(text);
        try
        {
            // No audit, no answer: the log is checked before anything is looked up, and written before anything is shown.
            AuditLog audit = AuditLog.Open(c.AuditLog);
            using SummaryStore store = SummaryStore.Open(c.Store.Kind, c.Store.Target);
            Verdict v = new AddressResolver(store, c.RequireMasterKey()).Resolve(request);
            audit.Append(Record(request, text, v));
            Print(v, json);
        }
        catch (AuditException e)
        {
            Console.Error.WriteLine($"ce-isp resolve: no answer without a working audit log: {e.Message}");
            return 1;
        }
        return 0;
    }

    private static void Print(Verdict v, bool json)
    {
        if (json)
            Console.Out.WriteLine(JsonSerializer.Serialize(v, ResolverJson.Default.Verdict));
        else
        {
            Console.Out.WriteLine($"verdict: {v.Result.Text()}{(v.Line is null ? "" : $" -> {v.Line}")} ({v.Explanation})");
            foreach (Candidate cand in v.Candidates)
                Console.Out.WriteLine($"  candidate {cand.Line} ({cand.CeId}): {cand.Evidence.Count} matching window(s), false-positive chance {cand.FalsePositiveProbability:G3}");
            foreach (NoEvidence n in v.NoEvidence)
                Console.Out.WriteLine($"  no evidence: {n.Line} ({n.CeId}): {n.Why}");
        }
    }

    /// <summary>Who asked, under which reference, about which addresses, and what was answered (the request
    /// itself is named by its hash: the requester keeps it, the log need not copy the destinations it lists).</summary>
    private static AuditRecord Record(DisclosureRequest request, string text, Verdict v) =>
        new(request.Requester, "resolve", request.Reference,
            string.Join(", ", request.Observations.Select(o => $"{o.Ip}{(o.SrcPort is { } p ? $":{p}" : "")} at {o.Time:O}").Distinct()),
            v.Result.Text(), [.. v.Candidates.Select(x => x.Line)],
            $"request sha256 {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}, {request.Observations.Count} observation(s)");
}
