using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CeIsp.Desk;

/// <summary>
/// The desk's anti-forgery token: every POST (the sign-in form and API, sign-out, parse, request, bulk CSV)
/// carries it in the <see cref="Header"/> header or the <see cref="FormField"/> form field, or is refused 403.
/// </summary>
/// <remarks>
/// A synchronizer token per session: 32 random bytes made at sign-in and kept as a claim inside the session
/// cookie, which the desk already encrypts and signs (DataProtection), so no one without the session can
/// read or change it; the page gets it from /api/v1/me. Before there is a session, the sign-in form is a
/// double submit: a random value in its own HttpOnly, SameSite=Strict cookie and in the form. Comparison is
/// constant-time. Hand-rolled rather than ASP.NET's IAntiforgery, which checks only endpoints that bind
/// forms and adds a cookie pair of its own: the JSON and CSV posts would still be checked by hand, and this
/// is one value, one comparison. SameSite=Strict already keeps the cookies off cross-site requests; the
/// token is what still holds where that does not (a browser without SameSite, a sibling subdomain).
/// </remarks>
public static class AntiForgery
{
    public const string Header = "X-CSRF-Token";
    public const string FormField = "csrf";
    public const string ClaimType = "ce-desk-csrf";
    /// <summary>The pre-session cookie of the sign-in form.</summary>
    public const string Cookie = "ce-desk-signin";
    public const string Refusal = "anti-forgery token missing or wrong: reload the page (or sign in again) and retry; API clients send, in the "
        + Header + " header, the token of GET /api/v1/csrf to sign in and then the csrfToken of GET /api/v1/me";

    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>True when both are present and equal, in time that does not depend on where they differ.</summary>
    public static bool Matches(string? expected, string? presented) =>
        !string.IsNullOrEmpty(expected) && !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    /// <summary>The token the sign-in form (or API sign-in) must carry: the sign-in cookie's, issued here when
    /// the client has none.</summary>
    public static string SignInToken(HttpContext c)
    {
        if (c.Request.Cookies[Cookie] is { Length: > 0 } existing)
            return existing;
        string token = NewToken();
        c.Response.Cookies.Append(Cookie, token, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = c.Request.IsHttps, Path = "/", IsEssential = true,
        });
        return token;
    }

    public static string? SessionToken(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst(ClaimType)?.Value : null;

    /// <summary>Middleware: refuses a POST whose token does not match. Sign-in checks the sign-in cookie; a
    /// signed-in client its session's token; a POST with neither goes on to authorization, which answers 401.</summary>
    public static async Task Check(HttpContext c, RequestDelegate next)
    {
        if (!HttpMethods.IsPost(c.Request.Method))
        {
            await next(c);
            return;
        }
        bool signIn = c.Request.Path.Equals("/login") || c.Request.Path.Equals("/api/v1/login");
        string? expected = signIn ? c.Request.Cookies[Cookie] ?? "" : SessionToken(c.User);
        // A session from before tokens existed has none: it must sign in again rather than post unchecked.
        if (expected is null && c.User.Identity?.IsAuthenticated == true)
            expected = "";
        if (expected is not null && !Matches(expected, await Presented(c)))
        {
            if (c.Request.Path.StartsWithSegments("/api"))
            {
                await DeskRoutes.Error(c, StatusCodes.Status403Forbidden, Refusal);
                return;
            }
            c.Response.StatusCode = StatusCodes.Status403Forbidden;
            c.Response.ContentType = "text/plain; charset=utf-8";
            await c.Response.WriteAsync(Refusal + "\n");
            return;
        }
        await next(c);
    }

    private static async Task<string?> Presented(HttpContext c)
    {
        if (c.Request.Headers[Header] is { Count: 1 } header)
            return header[0];
        if (!c.Request.HasFormContentType)
            return null;
        try
        {
            IFormCollection form = await c.Request.ReadFormAsync();
            return form[FormField] is { Count: 1 } field ? field[0] : null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return null; // a form that cannot be read carries no token
        }
    }
}
