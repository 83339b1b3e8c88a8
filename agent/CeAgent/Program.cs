using CeAgent.Commands;
using CeAgent.Shared.Cli;

// The command table: one line per sub-command, each defined in Commands/<Name>Command.cs.
return CommandTable.Dispatch(
    "ce-agent",
    "MAP-E CE agent: records which public ports and destinations the router's NAT used, per window, and publishes signed summaries.",
    [
        MapeCommand.Definition,
        KeyCommand.Definition,
        FlowsCommand.Definition,
        ClockCommand.Definition,
        RunCommand.Definition,
        ConfigCommand.Definition,
    ],
    args);
