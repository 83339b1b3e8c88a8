using CeAgent.Config;
using CeAgent.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CeAgent.Tests.Service;

/// <summary>A fault anywhere in the pipeline ends the process non-zero, logged at error level, so the
/// supervisor (systemd Restart=on-failure, procd respawn) restarts it.</summary>
[Collection("exit code")] // Environment.ExitCode is the process's
public class AgentServiceTests
{
    /// <summary>When the test sends the host its SIGTERM (StopApplication, as the console lifetime does).</summary>
    public enum Sigterm { Never, BeforeStart, DuringStart, OnceStarted }

    /// <summary>A service started before the agent's that sends the SIGTERM: it arrives while the host starts its services.</summary>
    private sealed class SigtermOnStart(IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static (int Exit, string Log) RunHost(Action<CancellationToken> pipeline, Sigterm stop = Sigterm.Never, ServiceStatus? status = null, bool start = true)
    {
        Environment.ExitCode = 0;
        var output = new RecordingLogger();
        var log = new Log(output);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        if (stop == Sigterm.DuringStart)
            builder.Services.AddHostedService(sp => new SigtermOnStart(sp.GetRequiredService<IHostApplicationLifetime>()));
        builder.Services.AddHostedService(sp => new AgentService(new AgentConfig(), log, status ?? new ServiceStatus(new Microsoft.Extensions.Hosting.Systemd.SystemdNotifier(), null), sp.GetRequiredService<IHostApplicationLifetime>())
        {
            Pipeline = (_, started, stop) =>
            {
                if (start)
                    started();
                pipeline(stop);
            },
        });
        using IHost host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        if (stop == Sigterm.BeforeStart)
            lifetime.StopApplication();
        Task<int> run = Task.Run(() => AgentHost.Run(host)); // as `ce-agent run` does
        if (stop == Sigterm.OnceStarted)
        {
            Assert.True(lifetime.ApplicationStarted.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "the host did not start");
            lifetime.StopApplication();
        }
        Assert.True(run.Wait(TimeSpan.FromSeconds(30)), "the host did not stop");
        int exit = run.Result;
        Environment.ExitCode = 0;
        return (exit, output.ToString());
    }

    [Theory]
    [InlineData(typeof(ArgumentException))] // what a flood made escape before: exit 0, nothing logged
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(NullReferenceException))]
    [InlineData(typeof(IOException))]
    [InlineData(typeof(FormatException))]
    public void An_exception_out_of_the_pipeline_exits_1_and_is_logged_as_an_error(Type fault)
    {
        var (exit, log) = RunHost(_ => throw (Exception)Activator.CreateInstance(fault, "injected")!);
        Assert.Equal(1, exit);
        Assert.Contains("Error: ", log); // journald priority 3 under systemd
        Assert.Contains("injected", log);
    }

    [Fact]
    public void A_pipeline_stopped_by_sigterm_exits_0()
    {
        var (exit, log) = RunHost(stop => stop.WaitHandle.WaitOne(), Sigterm.OnceStarted);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("Error: ", log);
    }

    /// <summary>A SIGTERM that arrives while the host starts its services (the base class then never runs
    /// the pipeline) once left the start waiting for a pipeline that would never come up: the agent hung
    /// until SIGKILL. One before the host starts at all makes the host's start throw: a stop, not a crash.</summary>
    [Theory]
    [InlineData(Sigterm.DuringStart)]
    [InlineData(Sigterm.BeforeStart)]
    public void A_sigterm_while_the_host_starts_stops_it_and_exits_0(Sigterm when)
    {
        bool ran = false;
        var (exit, log) = RunHost(stop => { ran = true; stop.WaitHandle.WaitOne(); }, when);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("Error: ", log);
        Assert.False(ran, "the pipeline was started after the SIGTERM");
    }

    [Fact]
    public void A_pipeline_that_fails_to_start_tells_systemd_why_and_never_ready()
    {
        var notifier = new RecordingNotifier();
        var (exit, _) = RunHost(_ => throw new Interop.InteropException("opening conntrack events", 1), status: new ServiceStatus(notifier, null), start: false);
        Assert.Equal(1, exit);
        Assert.Equal(["STATUS=fault: opening conntrack events: Operation not permitted (errno 1)\nERRNO=1"], notifier.Sent);
    }

    [Fact]
    public void A_pipeline_that_started_is_ready_then_tells_its_fault_and_stopping()
    {
        var notifier = new RecordingNotifier();
        var (exit, _) = RunHost(_ => throw new FormatException("injected"), status: new ServiceStatus(notifier, null));
        Assert.Equal(1, exit);
        Assert.Equal(["STATUS=conntrack subscribed, spool open, broker connection queued", "READY=1", "STATUS=fault: injected", "STOPPING=1"], notifier.Sent);
    }

    /// <summary>Records each entry as "Level: message", the level being what journald's priority is made of.</summary>
    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        private readonly System.Text.StringBuilder _text = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_text)
                _text.Append(logLevel).Append(": ").AppendLine(formatter(state, exception));
        }

        public override string ToString()
        {
            lock (_text)
                return _text.ToString();
        }
    }
}
