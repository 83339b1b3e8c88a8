using CeAgent.Shared.Cli;
using CeIsp.Audit;
using CeIsp.Config;
using CeIsp.Desk;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace CeIsp.Commands;

/// <summary>`ce-isp serve`: the abuse desk's page and API over the resolver (docs/desk.md).</summary>
internal static class ServeCommand
{
    public static Command Definition { get; } = new("serve", "the abuse desk's web page and JSON API, with evidence bundles",
        $"usage: ce-isp serve --listen ADDR:PORT [--config PATH]\n  --config   default {IspConfig.DefaultPath}\n"
        + "  HTTPS with desk.certFile/desk.keyFile; plain HTTP only on a loopback address", Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv);
        string listen = args.Require("listen");
        IspConfig c = IspConfig.Load(args.Get("config") ?? IspConfig.DefaultPath);
        args.RejectUnknown();
        bool https = DeskServer.Plan(listen, c.Desk).Https; // a bad address or a missing certificate stops here
        c.RequireMasterKey();
        Accounts accounts = Accounts.Load(c.Desk.Users);
        AuditLog audit = AuditLog.Open(c.AuditLog);
        var service = new DeskService(c, new RequestArchive(c.Desk.DataDir), audit);
        WebApplication app = DeskServer.Build(c, accounts, service, listen);
        app.Start();
        // Said once it accepts connections: scripts (make demo SERVE=1) wait for this line.
        Console.Out.WriteLine($"ce-isp serve: {(https ? "https" : "http")}://{listen}/ (accounts: {c.Desk.Users}, data: {c.Desk.DataDir})");
        app.WaitForShutdown();
        return 0;
    }
}
