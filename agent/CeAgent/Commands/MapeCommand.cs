using CeAgent.Shared.Cli;

namespace CeAgent.Commands;

internal static class MapeCommand
{
    public static Command Definition { get; } = new("mape", "compute the CE's MAP-E parameters and port set",
        "usage: ce-agent mape --rule6 P --rule4 P --ea-len N --psid-offset A [--psid-len K] --prefix PD [--iid rfc|draft] [--json | --nft]",
        _ => throw new CliException("not implemented yet"));
}
