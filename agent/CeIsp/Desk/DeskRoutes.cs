using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CeIsp.Config;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CeIsp.Desk;

/// <summary>
/// The desk's routes: the page, sign-in, and the JSON API (docs/desk.md). Handlers take the HttpContext
/// and use the source-generated JSON contexts: no reflection-based binding. Every read and write of a
/// request, the evidence, the audit log and the device list goes through <see cref="DeskService"/>'s audit.
/// </summary>
public sealed class DeskRoutes(IspConfig config, Accounts accounts, DeskService service)
{
    private static readonly Dictionary<string, string> ContentTypes = new()
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript; charset=utf-8", [".css"] = "text/css; charset=utf-8",
    };

    public void Map(WebApplication app)
    {
        app.MapGet("/", (RequestDelegate)(c => Static(c, "index.html"))).RequireAuthorization();
        app.MapGet("/login", (RequestDelegate)LoginPage);
        app.MapGet("/static/{name}", (RequestDelegate)(c => Static(c, (string)c.Request.RouteValues["name"]!)));
        app.MapPost("/login", (RequestDelegate)FormSignIn);
        app.MapPost("/logout", (RequestDelegate)SignOut);
        app.MapPost("/api/v1/login", (RequestDelegate)ApiSignIn);
        RouteGroupBuilder api = app.MapGroup("/api/v1");
        api.MapGet("/csrf", (RequestDelegate)(c => Json(c, new CsrfView(AntiForgery.SignInToken(c)), DeskJson.Default.CsrfView)));
        api.MapGet("/me", (RequestDelegate)Me).RequireAuthorization();
        api.MapPost("/parse", (RequestDelegate)Parse).RequireAuthorization(Roles.Requester);
        api.MapPost("/requests", (RequestDelegate)Submit).RequireAuthorization(Roles.Requester);
        api.MapPost("/requests/bulk", (RequestDelegate)Bulk).RequireAuthorization(Roles.Requester);
        api.MapGet("/requests", (RequestDelegate)List).RequireAuthorization("reader");
        api.MapGet("/requests/{id}", (RequestDelegate)Get).RequireAuthorization("reader");
        api.MapGet("/requests/{id}/evidence", (RequestDelegate)Evidence).RequireAuthorization("reader");
        api.MapGet("/audit", (RequestDelegate)AuditLogText).RequireAuthorization(Roles.Auditor);
        api.MapGet("/devices", (RequestDelegate)Devices).RequireAuthorization(Roles.Administrator);
    }

    /// <summary>The sign-in form, with its anti-forgery token in the hidden field.</summary>
    private static async Task LoginPage(HttpContext c)
    {
        using Stream s = typeof(DeskRoutes).Assembly.GetManifestResourceStream("wwwroot/login.html")!;
        string html = await new StreamReader(s, Encoding.UTF8).ReadToEndAsync();
        c.Response.ContentType = ContentTypes[".html"];
        c.Response.Headers.CacheControl = "no-store"; // the token is this browser's
        // The token is base64url: nothing in it needs escaping in an attribute.
        await c.Response.WriteAsync(html.Replace("{{csrf}}", AntiForgery.SignInToken(c), StringComparison.Ordinal));
    }

    private static async Task Static(HttpContext c, string name)
    {
        using Stream? s = typeof(DeskRoutes).Assembly.GetManifestResourceStream("wwwroot/" + name);
        if (s is null || !ContentTypes.TryGetValue(Path.GetExtension(name), out string? type))
        {
            c.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        c.Response.ContentType = type;
        c.Response.Headers.CacheControl = "no-cache";
        await s.CopyToAsync(c.Response.Body);
    }

    private async Task FormSignIn(HttpContext c)
    {
        IFormCollection form = await c.Request.ReadFormAsync();
        bool ok = await SignIn(c, form["user"].ToString(), form["password"].ToString());
        c.Response.Redirect(ok ? "/" : "/login?failed=1");
    }

    private async Task ApiSignIn(HttpContext c)
    {
        SignInInput? input = await ReadJson(c, DeskJson.Default.SignInInput);
        if (input is not null)
            c.Response.StatusCode = await SignIn(c, input.User, input.Password) ? StatusCodes.Status204NoContent : StatusCodes.Status401Unauthorized;
    }

    private async Task<bool> SignIn(HttpContext c, string user, string password)
    {
        if (accounts.SignIn(user, password) is not { } a)
        {
            service.Audit(user.Length == 0 ? "(no name)" : user.Length > 64 ? user[..64] : user, "sign-in-refused", null, null, null, null, c.Connection.RemoteIpAddress?.ToString());
            return false;
        }
        var claims = new List<Claim> { new(ClaimTypes.Name, a.Name), new(AntiForgery.ClaimType, AntiForgery.NewToken()) };
        claims.AddRange(a.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        await c.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
        service.Audit(a.Name, "sign-in", null, null, null, null, c.Connection.RemoteIpAddress?.ToString());
        return true;
    }

    private static async Task SignOut(HttpContext c)
    {
        await c.SignOutAsync();
        c.Response.Redirect("/login");
    }

    private static string User(HttpContext c) => c.User.Identity!.Name!;

    private static Task Me(HttpContext c) =>
        Json(c, new MeView(User(c), [.. Roles.All.Where(c.User.IsInRole)], AntiForgery.SessionToken(c.User) ?? ""), DeskJson.Default.MeView);

    private static async Task Parse(HttpContext c)
    {
        if (await ReadJson(c, DeskJson.Default.ParseInput) is not { } input)
            return;
        try
        {
            await Json(c, ObservationParser.Parse(input), DeskJson.Default.ParseResult);
        }
        catch (FormatException e)
        {
            await Error(c, StatusCodes.Status400BadRequest, e.Message);
        }
    }

    private async Task Submit(HttpContext c)
    {
        if (!IsContent(c, "application/json"))
        {
            await Error(c, StatusCodes.Status415UnsupportedMediaType, "body: send the request as application/json (the JSON `ce-isp resolve --request` takes)");
            return;
        }
        try
        {
            StoredRequest r = service.Submit(User(c), await Body(c));
            c.Response.Headers.Location = $"/api/v1/requests/{r.Id}";
            await Json(c, r.Verdict, DeskJson.Default.DeskVerdict, StatusCodes.Status201Created);
        }
        catch (FormatException e)
        {
            await Error(c, StatusCodes.Status400BadRequest, e.Message);
        }
    }

    private async Task Bulk(HttpContext c)
    {
        if (!IsContent(c, "text/csv"))
        {
            await Error(c, StatusCodes.Status415UnsupportedMediaType, "body: send text/csv (docs/desk.md, bulk requests)");
            return;
        }
        List<BulkCsv.Item> items;
        try
        {
            items = BulkCsv.Read(await Body(c));
        }
        catch (FormatException e)
        {
            await Error(c, StatusCodes.Status400BadRequest, e.Message);
            return;
        }
        var rows = new List<string>();
        foreach (BulkCsv.Item item in items)
        {
            try
            {
                rows.Add(item.Error is null ? BulkCsv.Row(item.Reference, service.Submit(User(c), BulkCsv.RequestJson(User(c), item)).Verdict, null, item.Notes)
                    : BulkCsv.Row(item.Reference, null, item.Error));
            }
            catch (FormatException e)
            {
                rows.Add(BulkCsv.Row(item.Reference, null, e.Message));
            }
        }
        c.Response.ContentType = "text/csv; charset=utf-8";
        await c.Response.WriteAsync(BulkCsv.Write(rows));
    }

    private async Task List(HttpContext c)
    {
        bool auditor = c.User.IsInRole(Roles.Auditor);
        service.Audit(User(c), "list", null, null, null, null, auditor ? "all requests" : "own requests");
        await Json(c, service.Archive.List(auditor ? null : User(c)), DeskJson.Default.ListStoredRequestSummary);
    }

    private async Task Get(HttpContext c)
    {
        if (Readable(c, "read") is { } r)
            await Json(c, r, DeskJson.Default.StoredRequest);
        else
            await Error(c, StatusCodes.Status404NotFound, "no such request of yours");
    }

    private async Task Evidence(HttpContext c)
    {
        if (Readable(c, "evidence") is { } r && service.Archive.Bundle(r.Id) is { } zip)
        {
            c.Response.ContentType = "application/zip";
            c.Response.Headers.ContentDisposition = $"attachment; filename=\"evidence-{r.Id}.zip\"";
            await c.Response.Body.WriteAsync(zip);
        }
        else
            await Error(c, StatusCodes.Status404NotFound, "no such request of yours");
    }

    private StoredRequest? Readable(HttpContext c, string action) =>
        service.Read(User(c), c.User.IsInRole(Roles.Auditor), (string)c.Request.RouteValues["id"]!, action);

    private async Task AuditLogText(HttpContext c)
    {
        string? problem = AuditCheck.Problem(config.AuditLog);
        service.Audit(User(c), "audit-read", null, null, null, null, problem);
        c.Response.ContentType = "application/x-ndjson; charset=utf-8";
        c.Response.Headers["X-Audit-Chain"] = problem is null ? "intact" : "broken";
        await c.Response.SendFileAsync(config.AuditLog);
    }

    private async Task Devices(HttpContext c)
    {
        service.Audit(User(c), "devices", null, null, null, null, null);
        await Json(c, [.. config.Devices.Select(d => new DeviceView(d.CeId, d.Line, d.PublicKeyPem))], DeskJson.Default.ListDeviceView);
    }

    private static bool IsContent(HttpContext c, string type) =>
        c.Request.ContentType?.Split(';')[0].Trim().Equals(type, StringComparison.OrdinalIgnoreCase) == true;

    private static async Task<string> Body(HttpContext c)
    {
        using var reader = new StreamReader(c.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static async Task<T?> ReadJson<T>(HttpContext c, JsonTypeInfo<T> info) where T : class
    {
        try
        {
            return IsContent(c, "application/json") ? JsonSerializer.Deserialize(await Body(c), info) ?? throw new JsonException("empty") : throw new JsonException("send application/json");
        }
        catch (JsonException e)
        {
            await Error(c, StatusCodes.Status400BadRequest, $"body: {e.Message}");
            return null;
        }
    }

    private static async Task Json<T>(HttpContext c, T value, JsonTypeInfo<T> info, int status = StatusCodes.Status200OK)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(c.Response.Body, value, info);
    }

    internal static Task Error(HttpContext c, int status, string message) => Json(c, new ErrorBody(message), DeskJson.Default.ErrorBody, status);
}
