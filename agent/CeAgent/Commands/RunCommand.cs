using System.Globalization;
using CeAgent.Config;
using CeAgent.Service;
using CeAgent.Shared.Cli;
using CeAgent.Shared.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "check");
        bool check = args.Flag("check");
        string configPath = args.Get("config") ?? AgentConfig.DefaultPath;
        AgentConfig c = AgentConfig.Load(configPath);
        if (args.Get("ce-id") is { } id)
            c = c with { CeId = id };
        if (args.Get("broker") is { } broker)
        {
            int colon = broker.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(broker[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
                throw new CliException($"--broker: '{broker}' is not HOST:PORT");
            c = c with { Broker = c.Broker with { Host = broker[..colon], Port = port } };
        }
        if (args.Get("spool") is { } spool)
            c = c with { Spool = c.Spool with { Dir = spool } };
        if (args.GetInt("window") is { } w)
            c = c with { WindowSeconds = w };
        if (args.GetInt("batch") is { } b)
            c = c with { BatchWindows = b };
        if (args.Get("key") is { } key)
            c = c with { KeyFile = key };
        args.RejectUnknown();
        var (mape, _) = c.Validate(); // a bad configuration fails here, with the field named, before anything starts
        if (check)
        {
            Console.Out.WriteLine($"configuration ok: {c.CeId}, {mape.Ipv4} PSID {mape.Psid} ({mape.Ports.Count} ports), {c.WindowSeconds} s windows, broker {c.Broker.Host}:{c.Broker.Port}, LEDs {c.Leds.Backend}");
            return 0;
        }
        // The filter key opens this household's summaries: the agent does not run with it open to others.
        SecretFile.RequirePrivate(configPath, "a configuration holding filterKey");

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(8));
        builder.Services.AddSingleton(c);
        builder.Services.AddSingleton(Log.Console());
        builder.Services.AddHostedService(sp => new AgentService(c, sp.GetRequiredService<Log>(), sp.GetRequiredService<IHostApplicationLifetime>()));
        using IHost host = builder.Build();
        host.Run();
        return Environment.ExitCode;
    }
}
