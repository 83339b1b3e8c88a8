using CeAgent.Shared.MapE;

namespace CeAgent.Shared.Cli;

/// <summary>The Basic Mapping Rule options both programs take, read the same way by both.</summary>
public static class MapRuleArgs
{
    public const string Usage = "--rule6 P --rule4 P --ea-len N --psid-offset A [--psid-len K]";

    public static MapRule Read(CliArgs args) => MapRule.Parse(
        args.Require("rule6"),
        args.Require("rule4"),
        args.RequireInt("ea-len"),
        args.RequireInt("psid-offset"),
        args.GetInt("psid-len"));
}
