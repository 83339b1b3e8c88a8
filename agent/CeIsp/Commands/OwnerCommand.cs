using System.Text.Json;
using CeAgent.Shared.Cli;
using CeAgent.Shared.MapE;

namespace CeIsp.Commands;

internal static class OwnerCommand
{
    public static Command Definition { get; } = new("owner", "find the CE (PSID, delegated prefix) that holds an IPv4 address and port",
        $"usage: ce-isp owner {MapRuleArgs.Usage} --ip IPv4 --port P [--json]",
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "json");
        MapRule rule = MapRuleArgs.Read(args);
        string ip = args.Require("ip");
        int port = args.RequireInt("port", 0, 65535);
        bool json = args.Flag("json");
        args.RejectUnknown();

        MapeOwner owner = MapeCalculator.Owner(rule, IpText.ParseIpv4(ip, "ip"), port);
        if (json)
            Console.Out.WriteLine(JsonSerializer.Serialize(
                new OwnerJson(ip, port, owner.Psid, owner.PsidLength, owner.Prefix.ToString()), MapeJsonContext.Default.OwnerJson));
        else
            Console.Out.WriteLine($"{ip} port {port}: PSID {owner.Psid} ({owner.PsidLength} bits), CE prefix {owner.Prefix}");
        return 0;
    }
}
