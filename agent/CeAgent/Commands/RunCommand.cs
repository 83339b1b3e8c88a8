using System.Globalization;
using CeAgent.Config;
using CeAgent.Service;
using CeAgent.Shared.Cli;
using CeAgent.Shared.Secrets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace CeAgent.Commands;

/// <summary>`ce-agent run`: the CE pipeline as a service.</summary>
internal static class RunCommand
{
    public static Command Definition { get; } = new("run", "run the agent: observe the NAT, sign and publish summaries",
        $"""
        usage: ce-agent run [--config PATH] [--check] [--ce-id ID] [--broker HOST:PORT] [--spool DIR] [--window S] [--batch N] [--key FILE]
          --config   the configuration file (default {AgentConfig.DefaultPath}); the options below override it
          --check    validate the configuration, print what it means, and exit
        """,
        Run);

    /// <summary>A start that fails before the pipeline runs (usage, configuration, permissions) tells systemd
    /// why as well as stderr (STATUS=, ERRNO=), and never READY=1; the command table prints it and sets the exit code.</summary>
    private static int Run(string[] argv)
    {
        var status = ServiceStatus.FromEnvironment(new SystemdNotifier());
        try
        {
            return Run(argv, status);
        }
        catch (Exception e)
        {
            status.Failed(e);
            throw;
        }
    }

    private static int Run(string[] argv, ServiceStatus status)
    {
        CliArgs args = CliArgs.Parse(argv, "check");
        bool check = args.Flag("check");
        string config = args.Get("config") ?? AgentConfig.DefaultPath;
        string? id = args.Get("ce-id"), broker = args.Get("broker"), spool = args.Get("spool"), key = args.Get("key");
        int? w = args.GetInt("window"), b = args.GetInt("batch");
        args.RejectUnknown(); // usage errors first: a typo is reported as such, whatever the file holds
        AgentConfig c = AgentConfig.Load(config);
        if (id is not null)
            c = c with { CeId = id };
        if (broker is not null)
        {
            int colon = broker.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(broker[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
                throw new CliException($"--broker: '{broker}' is not HOST:PORT");
            c = c with { Broker = c.Broker with { Host = broker[..colon], Port = port } };
        }
        if (spool is not null)
            c = c with { Spool = c.Spool with { Dir = spool } };
        if (w is not null)
            c = c with { WindowSeconds = w.Value };
        if (b is not null)
            c = c with { BatchWindows = b.Value };
        if (key is not null)
            c = c with { KeyFile = key };
        var (mape, _) = c.Validate(); // a bad configuration fails here, with the field named, before anything starts
        if (check)
        {
            Console.Out.WriteLine($"configuration ok: {c.CeId}, {mape.Ipv4} PSID {mape.Psid} ({mape.Ports.Count} ports), {c.WindowSeconds} s windows, broker {c.Broker.Host}:{c.Broker.Port}, LEDs {c.Leds.Backend}");
            return 0;
        }
        // The filter key opens this household's summaries: the agent does not run with it open to others.
        SecretFile.RequirePrivate(config, "a configuration holding filterKey");

        using IHost host = AgentHost.Build(c, status);
        return AgentHost.Run(host);
    }
}
