using System.Net;

namespace CeIsp.Metrics;

/// <summary>isp.json "metrics": ADDR:PORT the collector serves /metrics on.</summary>
public static class MetricsEndpoint
{
    /// <summary>What is wrong with it, as the end of a sentence, or null.</summary>
    public static string? Problem(string listen) =>
        !listen.Contains(':') || !IPEndPoint.TryParse(listen, out IPEndPoint? ep) ? "is not ADDR:PORT (127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464)"
        : ep.Port == 0 && listen.EndsWith(":0", StringComparison.Ordinal) ? null // any free port: tests
        : ep.Port is < 1 or > 65535 ? "has no port"
        : null;

    public static IPEndPoint Parse(string listen) =>
        Problem(listen) is { } p ? throw new FormatException($"metrics: '{listen}' {p}") : IPEndPoint.Parse(listen);
}
