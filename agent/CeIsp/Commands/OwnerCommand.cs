using CeAgent.Shared.Cli;

namespace CeIsp.Commands;

internal static class OwnerCommand
{
    public static Command Definition { get; } = new("owner", "find the CE (PSID, delegated prefix) that holds an IPv4 address and port",
        "usage: ce-isp owner --rule6 P --rule4 P --ea-len N --psid-offset A [--psid-len K] --ip IPv4 --port P [--json]",
        _ => throw new CliException("not implemented yet"));
}
