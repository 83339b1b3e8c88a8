using Microsoft.Extensions.Logging;

namespace CeAgent.Service;

/// <summary>
/// The pipeline's (level, message) log onto the host's console logger, which AgentHost points at stderr:
/// journald's format (a syslog priority per line) under systemd, one plain line per event under procd.
/// </summary>
public sealed class Log(ILogger logger)
{
    public const string Category = "ce-agent";

    public void Write(string level, string message) =>
        // The message is text, not a template: braces in it (a path, a JSON field) stay as they are.
        logger.Log(Level(level), default, message, null, static (m, _) => m);

    public static LogLevel Level(string level) => level switch
    {
        "error" => LogLevel.Error,
        "warning" => LogLevel.Warning,
        "debug" => LogLevel.Debug,
        _ => LogLevel.Information,
    };
}
