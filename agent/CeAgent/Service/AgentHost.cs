using CeAgent.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace CeAgent.Service;

/// <summary>
/// The generic host around the pipeline. The console lifetime handles SIGTERM everywhere; under systemd
/// (NOTIFY_SOCKET set) AgentService tells it READY=1 once the pipeline is up and STOPPING=1 on the way out
/// (<see cref="ServiceStatus"/>), not Hosting.Systemd's lifetime, which would say READY=1 even for a pipeline
/// that failed to start. The test is NOTIFY_SOCKET itself rather than AddSystemd's "is my parent process
/// systemd": a supervisor speaking the notify protocol that is not systemd's direct child (a container's
/// init, the tests) is served the same way, and procd never sets it.
/// </summary>
public static class AgentHost
{
    public static IHost Build(AgentConfig config, ServiceStatus status)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(8));
        // Everything to stderr: journald and procd's logd take both streams, and so do `2>` redirections.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // The host's own "started"/"content root" lines say nothing a technician needs; its warnings stay.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 })
            builder.Logging.AddSystemdConsole(o => o.IncludeScopes = false);
        else
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

        builder.Services.AddSingleton(config);
        builder.Services.AddHostedService(sp => new AgentService(config,
            new Log(sp.GetRequiredService<ILoggerFactory>().CreateLogger(Log.Category)),
            status, sp.GetRequiredService<IHostApplicationLifetime>()));
        return builder.Build();
    }

    /// <summary>Runs the host to its end; the process's exit code. A SIGTERM before the host started its
    /// services makes the host's start throw: that is a stop as asked (0), not a crash.</summary>
    public static int Run(IHost host)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>(); // Run disposes the host
        try
        {
            host.Run();
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }
        return Environment.ExitCode;
    }
}
