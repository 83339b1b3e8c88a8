using CeAgent.Config;
using Microsoft.Extensions.Hosting;

namespace CeAgent.Service;

/// <summary>The pipeline as a hosted service: its own long-running thread, stopped by the host's token
/// (SIGTERM through the console lifetime). A failure to start is logged and stops the host with exit 1.</summary>
public sealed class AgentService(AgentConfig config, Log log, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Factory.StartNew(() =>
    {
        using var notify = SdNotify.FromEnvironment();
        using Leds.LedDriver? leds = Leds.LedSetup.From(config.Leds, log.Write);
        try
        {
            using var loop = new AgentLoop(config, log.Write, notify, leds);
            loop.Run(stoppingToken);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or InvalidDataException or System.Security.Cryptography.CryptographicException)
        {
            log.Write("error", e.Message);
            leds?.Show(HealthState.Fault);
            notify.Status("fault: " + e.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
