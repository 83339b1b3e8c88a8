using CeAgent.Config;
using Microsoft.Extensions.Hosting;

namespace CeAgent.Service;

/// <summary>The pipeline as a hosted service: its own long-running thread, stopped by the host's token
/// (SIGTERM through the console lifetime). Any exception out of the pipeline, expected (a bad file, a
/// device error) or not (a bug), is logged at error level and stops the host with exit 1, so systemd's
/// Restart=on-failure or procd's respawn restarts it: a process that ends on a fault never exits 0.</summary>
public sealed class AgentService(AgentConfig config, Log log, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <summary>Runs the pipeline; a test replaces it to inject a fault at this seam.</summary>
    public Action<SdNotify, Leds.LedDriver?, CancellationToken> Pipeline { get; init; } = (notify, leds, stop) =>
    {
        using var loop = new AgentLoop(config, log.Write, notify, leds);
        loop.Run(stop);
    };

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Factory.StartNew(() =>
    {
        using var notify = SdNotify.FromEnvironment();
        Leds.LedDriver? leds = null;
        try
        {
            leds = Leds.LedSetup.From(config.Leds, log.Write);
            Pipeline(notify, leds, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Expected failures carry a message meant for the operator; anything else is a bug, logged whole.
            bool expected = e is IOException or FormatException or UnauthorizedAccessException or InvalidDataException or System.Security.Cryptography.CryptographicException;
            log.Write("error", expected ? e.Message : $"fault: {e.GetType().Name}: {e.Message}; the agent stops so its supervisor restarts it\n{e.StackTrace}");
            leds?.Show(HealthState.Fault);
            notify.Status("fault: " + e.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
        finally
        {
            leds?.Dispose();
        }
    }, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
