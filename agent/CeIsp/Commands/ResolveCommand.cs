using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CeAgent.Shared.Cli;
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
        using SummaryStore store = SummaryStore.Open(c.Store.Kind, c.Store.Target);
        Verdict v = new Resolver.Resolver(store, c.RequireFilterKey()).Resolve(request);
        Audit(c.AuditLog, request, text, v);
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
        return 0;
    }

    /// <summary>Appends who asked, what, and what was answered; flushed to disk before the answer is shown.</summary>
    private static void Audit(string path, DisclosureRequest request, string text, Verdict v)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var entry = new AuditEntry(DateTimeOffset.UtcNow, request.Requester, request.Reference,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), request, v.Result, [.. v.Candidates.Select(x => x.Line)]);
        string line = JsonSerializer.Serialize(entry, new JsonSerializerOptions(ResolverJson.Default.Options) { WriteIndented = false }.GetTypeInfo(typeof(AuditEntry))) + "\n";
        using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        f.Write(Encoding.UTF8.GetBytes(line));
        f.Flush(flushToDisk: true);
    }
}
