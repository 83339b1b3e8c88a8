using CeAgent.Config;
using Microsoft.Extensions.Hosting;

namespace CeAgent.Service;

/// <summary>The pipeline as a hosted service: its own long-running thread, stopped by the host's token
/// (SIGTERM through the host's lifetime). Any exception out of the pipeline, expected (a bad file, a
/// device error) or not (a bug), is logged at error level and stops the host with exit 1, so systemd's
/// Restart=on-failure or procd's respawn restarts it: a process that ends on a fault never exits 0.</summary>
public sealed class AgentService(AgentConfig config, Log log, ServiceStatus notify, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs the pipeline and calls its second argument once the pipeline is up (conntrack subscribed,
    /// spool open, broker link made): READY=1 is sent then, and never if it fails before. A test replaces it
    /// to inject a fault at this seam.</summary>
    public Action<Leds.LedDriver?, Action, CancellationToken> Pipeline { get; init; } = (leds, started, stop) =>
    {
        using var loop = new AgentLoop(config, log.Write, notify, leds);
        started();
        loop.Run(stop);
    };

    /// <summary>Returns once the pipeline is up (or failed to start): the host reports itself started only after this.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        // Until the pipeline is up or has failed, or the start is cancelled: a SIGTERM during the start (the
        // base class then never runs ExecuteAsync, and nothing would end the wait: the process hung until
        // SIGKILL), or a failing pipeline, which stops the application (exit 1 is set already). Never a
        // throw: the start ends quietly and the host goes on to stop.
        await Task.WhenAny(_started.Task, Task.Delay(Timeout.Infinite, cancellationToken));
    }

    /// <summary>STOPPING=1 for a service that was ready: SIGTERM, or a fault after the start.</summary>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        notify.Stopping();
        return base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Factory.StartNew(() =>
    {
        try
        {
            Run(stoppingToken);
        }
        finally
        {
            _started.TrySetResult();
        }
    }, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        Leds.LedDriver? leds = null;
        try
        {
            leds = Leds.LedSetup.From(config.Leds, log.Write);
            Pipeline(leds, () =>
            {
                notify.Ready("conntrack subscribed, spool open, broker connection queued");
                _started.TrySetResult();
            }, stoppingToken);
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
            notify.Failed(e);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
        finally
        {
            leds?.Dispose();
        }
    }
}
