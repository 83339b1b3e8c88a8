using System.Text;
using System.Text.Json;
using CeAgent.Shared.Cli;
using CeAgent.Shared.MapE;

namespace CeAgent.Commands;

internal static class MapeCommand
{
    public static Command Definition { get; } = new("mape", "compute the CE's MAP-E parameters and port set",
        $"""
        usage: ce-agent mape {MapRuleArgs.Usage} --prefix PD [--iid rfc|draft] [--json | --nft [--wan IF]]
          --rule6, --rule4   the Basic Mapping Rule's IPv6 and IPv4 prefixes
          --ea-len           EA-bits length (0..48)
          --psid-offset      PSID offset a (v6plus: 4; RFC 7598's default: 6)
          --psid-len         PSID length, checked against the rule (optional)
          --prefix           the delegated IPv6 prefix
          --iid              interface-id format of the CE address: rfc (RFC 7597) or draft (Japanese services)
          --json             one JSON object
          --nft              an nftables ruleset that SNATs TCP, UDP and ICMP onto the whole port set
          --wan              the WAN interface for --nft (default: wan)
        """,
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "json", "nft");
        MapRule rule = MapRuleArgs.Read(args);
        string prefix = args.Require("prefix");
        InterfaceIdFormat iid = args.Get("iid") switch
        {
            null or "rfc" => InterfaceIdFormat.Rfc,
            "draft" => InterfaceIdFormat.Draft,
            string other => throw new CliException($"option --iid: '{other}' is neither rfc nor draft"),
        };
        bool json = args.Flag("json"), nft = args.Flag("nft");
        string wan = args.Get("wan") ?? "wan";
        args.RejectUnknown();
        if (json && nft)
            throw new CliException("--json and --nft exclude each other");

        MapeParams p = MapeCalculator.Derive(rule, Ipv6Prefix.Parse(prefix, "prefix"), iid);
        if (json)
            Console.Out.WriteLine(JsonSerializer.Serialize(MapeJson.From(p), MapeJsonContext.Default.MapeJson));
        else if (nft)
            Console.Out.Write(NftRules.Render(p, wan));
        else
            Console.Out.Write(Readable(p));
        return 0;
    }

    private static string Readable(MapeParams p)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"IPv4 address      {p.Ipv4}/{p.Ipv4PrefixLength}{(p.PsidLength > 0 ? $" (shared, 1 of {1 << p.PsidLength})" : "")}");
        sb.AppendLine($"PSID              {p.Psid} (0x{p.Psid:x}), {p.PsidLength} bits at offset {p.PsidOffset}");
        sb.AppendLine($"ports             {p.Ports.Count} in {p.Ports.Ranges.Count} ranges");
        foreach (var chunk in p.Ports.Ranges.Chunk(8))
            sb.AppendLine($"                  {string.Join(' ', chunk.Select(r => r.ToString()))}");
        sb.AppendLine($"CE IPv6 address   {p.CeAddress} ({(p.IidFormat == InterfaceIdFormat.Draft ? "draft" : "RFC 7597")} interface id)");
        sb.AppendLine($"end-user prefix   {p.EndUserPrefix}");
        return sb.ToString();
    }
}
