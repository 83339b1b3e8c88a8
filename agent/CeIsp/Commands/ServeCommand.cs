using CeAgent.Shared.Cli;
using CeIsp.Audit;
using CeIsp.Config;
using CeIsp.Desk;
using Microsoft.AspNetCore.Builder;

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
        DeskServer.Plan(listen, c.Desk);
        c.RequireFilterKey();
        Accounts accounts = Accounts.Load(c.Desk.Users);
        AuditLog audit = AuditLog.Open(c.AuditLog);
        var service = new DeskService(c, new RequestArchive(c.Desk.DataDir), audit);
        WebApplication app = DeskServer.Build(c, accounts, service, listen, Console.Out);
        app.Run();
        return 0;
    }
}
