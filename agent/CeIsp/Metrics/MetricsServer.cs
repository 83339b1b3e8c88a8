using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CeIsp.Metrics;

/// <summary>
/// GET /metrics over plain HTTP on the configured address, with the ASP.NET Core the desk already ships
/// (slim builder, one route): no exporter library to add, nothing reflective, and the text format is a
/// few lines (<see cref="CollectorMetrics.Render"/>). Metrics carry no personal data but do describe the
/// fleet: serve them on loopback or a management network.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app) => _app = app;

    public static async Task<MetricsServer> StartAsync(IPEndPoint endpoint, CollectorMetrics metrics)
    {
        WebApplicationBuilder b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(endpoint);
        });
        WebApplication app = b.Build();
        app.MapGet("/metrics", (RequestDelegate)(ctx =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return ctx.Response.WriteAsync(metrics.Render(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        }));
        await app.StartAsync().ConfigureAwait(false);
        return new MetricsServer(app);
    }

    /// <summary>Where it listens (the port chosen when the configuration said 0).</summary>
    public IReadOnlyList<string> Addresses => [.. _app.Urls];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
