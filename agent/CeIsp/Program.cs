using CeIsp.Commands;
using CeIsp.Store;
using CeAgent.Shared.Cli;

NativeHeap.Prepare();

// The command table: one line per sub-command, each defined in Commands/<Name>Command.cs.
return CommandTable.Dispatch(
    "ce-isp",
    "ISP side of ce-agent: collects and verifies CE summaries and answers disclosure requests.",
    [
        OwnerCommand.Definition,
        CollectCommand.Definition,
        PruneCommand.Definition,
        ResolveCommand.Definition,
        AuditCommand.Definition,
        KeyCommand.Definition,
        FleetCommand.Definition,
        ServeCommand.Definition,
        UserCommand.Definition,
    ],
    args);
