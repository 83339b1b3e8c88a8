using System.Net;
using System.Security.Cryptography.X509Certificates;
using CeIsp.Config;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CeIsp.Desk;

/// <summary>
/// `ce-isp serve` hosting: Kestrel on one address, HTTPS with the ISP's certificate (plain HTTP only on
/// loopback), cookie sign-in against the local accounts, the routes of <see cref="DeskRoutes"/>.
/// </summary>
public static class DeskServer
{
    public const long MaxBodyBytes = 1 << 20;

    /// <summary>Where to listen, and whether that may be plain HTTP; errors name the option or field.</summary>
    public static (IPEndPoint Endpoint, bool Https) Plan(string listen, DeskConfig desk)
    {
        if (!IPEndPoint.TryParse(listen, out IPEndPoint? ep) || !listen.Contains(':'))
            throw new FormatException($"--listen: '{listen}' is not ADDR:PORT (127.0.0.1:8443, [::1]:8443, 0.0.0.0:443)");
        bool https = desk.CertFile is not null || desk.KeyFile is not null;
        if (https && (desk.CertFile is null || desk.KeyFile is null))
            throw new FormatException("desk.certFile, desk.keyFile: give both (PEM) or neither");
        if (!https && !IPAddress.IsLoopback(ep.Address))
            throw new FormatException($"desk.certFile: serving {listen} needs the ISP's certificate; plain HTTP is only allowed on loopback (for tests)");
        return (ep, https);
    }

    public static WebApplication Build(IspConfig config, Accounts accounts, DeskService service, string listen)
    {
        var (endpoint, https) = Plan(listen, config.Desk);
        X509Certificate2? cert = https ? X509Certificate2.CreateFromPemFile(config.Desk.CertFile!, config.Desk.KeyFile!) : null;
        WebApplicationBuilder b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            k.Listen(endpoint, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                if (cert is not null)
                    l.UseHttps(cert);
            });
        });
        // Cookie keys kept with the desk's data, so a restart does not sign everyone out.
        b.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(config.Desk.DataDir, "keys"))).SetApplicationName("ce-isp-desk");
        b.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "ce-desk";
            o.Cookie.HttpOnly = true;
            // Strict: no other site can make the browser send it, the desk's guard against cross-site requests.
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
            o.Events.OnRedirectToLogin = c => Deny(c, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = c => Deny(c, StatusCodes.Status403Forbidden);
        });
        b.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Requester, p => p.RequireRole(Roles.Requester))
            .AddPolicy(Roles.Auditor, p => p.RequireRole(Roles.Auditor))
            .AddPolicy(Roles.Administrator, p => p.RequireRole(Roles.Administrator))
            .AddPolicy("reader", p => p.RequireRole(Roles.Requester, Roles.Auditor));
        WebApplication app = b.Build();
        app.Use(async (ctx, next) =>
        {
            // Everything the page needs comes from this server: no CDN, no inline script, no framing.
            ctx.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'";
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
            ctx.Response.Headers["Referrer-Policy"] = "no-referrer";
            if (https)
                ctx.Response.Headers.StrictTransportSecurity = "max-age=31536000";
            await next(ctx);
        });
        app.UseAuthentication();
        app.Use(AntiForgery.Check);
        app.UseAuthorization();
        new DeskRoutes(config, accounts, service).Map(app);
        return app;
    }

    /// <summary>A page is sent to the sign-in form; the API answers with the status alone.</summary>
    private static Task Deny(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> c, int status)
    {
        if (c.Request.Path.StartsWithSegments("/api"))
            c.Response.StatusCode = status;
        else
            c.Response.Redirect(status == StatusCodes.Status401Unauthorized ? "/login" : "/login?denied=1");
        return Task.CompletedTask;
    }
}
