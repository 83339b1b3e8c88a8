using CeAgent.Config;
using CeAgent.Shared.Cli;

namespace CeAgent.Commands;

/// <summary>`ce-agent config`: the configuration the agent would run with, its defaults filled in, so an
/// operator (and the OpenWrt translation's test) sees what a file that leaves a field out means.</summary>
internal static class ConfigCommand
{
    /// <summary>Printed instead of the filter key: the output goes to terminals and logs.</summary>
    public const string HiddenKey = "(set, not shown)";

    public static Command Definition { get; } = new("config", "print the effective configuration (the file with the agent's defaults) as JSON",
        $"""
        usage: ce-agent config [--config PATH]
          --config   the configuration file (default {AgentConfig.DefaultPath}); it is validated first, as by run --check
        """,
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv);
        string config = args.Get("config") ?? AgentConfig.DefaultPath;
        args.RejectUnknown();
        AgentConfig c = AgentConfig.Load(config);
        c.Validate();
        Console.Out.WriteLine((c with { FilterKey = HiddenKey }).ToJson());
        return 0;
    }
}
