using CeAgent.Config;
using Microsoft.Extensions.Hosting;

namespace CeAgent.Service;

/// <summary>The pipeline as a hosted service: its own long-running thread, stopped by the host's token
/// (SIGTERM through the host's lifetime). A failure to start is logged and stops the host with exit 1.</summary>
public sealed class AgentService(AgentConfig config, Log log, ServiceStatus notify, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Returns once the pipeline has subscribed to conntrack and opened its spool (or failed to): the
    /// host reports itself started, and so systemd's READY=1 is sent, only after this.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        // Not cancellable: a failing pipeline stops the application, which cancels this very token, and the
        // start must then end quietly (exit 1 is already set); the pipeline's start is bounded anyway.
        await _started.Task;
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
        using Leds.LedDriver? leds = Leds.LedSetup.From(config.Leds, log.Write);
        try
        {
            using var loop = new AgentLoop(config, log.Write, notify, leds);
            _started.TrySetResult();
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
    }
}
