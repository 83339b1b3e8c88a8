using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CeIsp.Desk;

namespace CeIsp.Tests.Desk;

/// <summary>Every POST of the desk carries the anti-forgery token or is refused 403 with a message saying
/// so, over real HTTP: the sign-in form and API, sign-out, parse, request, bulk CSV; missing, wrong, another
/// session's or another browser's token, and the right one.</summary>
public sealed partial class AntiForgeryTests : IAsyncLifetime
{
    private readonly DeskWorld _w = new();

    public async Task InitializeAsync() => await _w.StartAsync();

    public async Task DisposeAsync() => await _w.DisposeAsync();

    private HttpClient Browser() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _w.Address };

    private static async Task<string> FormToken(HttpClient browser)
    {
        string html = await browser.GetStringAsync("login");
        return HiddenToken().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException("no token in the form: " + html);
    }

    private static FormUrlEncodedContent Form(string user, string password, string? token) => new(
        new[] { ("user", user), ("password", password), ("csrf", token) }.Where(f => f.Item2 is not null)
            .Select(f => KeyValuePair.Create(f.Item1, f.Item2!)));

    private static async Task AssertRefused(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        string body = await r.Content.ReadAsStringAsync();
        Assert.Contains("anti-forgery token missing or wrong", body);
    }

    [Fact]
    public async Task The_sign_in_form_needs_the_token_its_own_page_gave_this_browser()
    {
        using HttpClient browser = Browser(), other = Browser();
        string token = await FormToken(browser), othersToken = await FormToken(other);
        Assert.NotEqual(token, othersToken);
        Assert.Equal(token, await FormToken(browser)); // stable for the browser until it signs in

        await AssertRefused(await browser.PostAsync("login", Form("tanaka", DeskWorld.Password, null)));
        await AssertRefused(await browser.PostAsync("login", Form("tanaka", DeskWorld.Password, "x" + token[1..])));
        await AssertRefused(await browser.PostAsync("login", Form("tanaka", DeskWorld.Password, othersToken)));
        await AssertRefused(await browser.PostAsync("login", Form("tanaka", DeskWorld.Password, "")));
        // The same form from a page elsewhere: its browser sends no desk cookie (SameSite=Strict) or not this one.
        using HttpClient noCookie = Browser();
        await AssertRefused(await noCookie.PostAsync("login", Form("tanaka", DeskWorld.Password, token)));
        Assert.DoesNotContain(File.ReadAllLines(_w.Config.AuditLog), l => l.Contains("\"sign-in\""));

        HttpResponseMessage ok = await browser.PostAsync("login", Form("tanaka", DeskWorld.Password, token));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal("/", ok.Headers.Location!.OriginalString);
        // The session's token is a new one, not the sign-in token a page could have planted.
        Assert.NotEqual(token, await DeskWorld.SessionTokenAsync(browser));
    }

    [Fact]
    public async Task Api_sign_in_without_the_token_is_refused_with_a_message_naming_it()
    {
        using HttpClient client = Browser();
        HttpResponseMessage r = await client.PostAsync("api/v1/login", DeskWorld.Json($"{{\"user\":\"tanaka\",\"password\":\"{DeskWorld.Password}\"}}"));
        await AssertRefused(r);
        Assert.Contains(AntiForgery.Header, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await DeskWorld.SignInAsync(client, "tanaka", DeskWorld.Password)).StatusCode);
    }

    public static TheoryData<string, string, string> Posts => new()
    {
        { "api/v1/requests", "application/json", DeskWorld.Request("tanaka", (1250, Scenario.D4, null)) },
        { "api/v1/requests/bulk", "text/csv", "reference,ip,time,accuracy_ms,dst_ip,dst_port\nA-1,192.0.2.18,2026-12-02T00:00:00Z,1000,203.0.113.40,443\n" },
        { "api/v1/parse", "application/json", """{"format":"auto","text":"x","accuracyMs":0}""" },
    };

    [Theory]
    [MemberData(nameof(Posts))]
    public async Task A_signed_in_post_needs_its_own_sessions_token(string path, string type, string body)
    {
        HttpClient tanaka = await _w.ClientAsync("tanaka"); // sends tanaka's token by default
        HttpClient tanakaAgain = await _w.ClientAsync("tanaka"), sato = await _w.ClientAsync("sato");
        string own = await DeskWorld.SessionTokenAsync(tanaka);
        Assert.NotEqual(own, await DeskWorld.SessionTokenAsync(tanakaAgain)); // per session, not per user
        int stored = Directory.GetFiles(_w.Config.Desk.DataDir, "*.json").Length;

        tanaka.DefaultRequestHeaders.Remove(AntiForgery.Header);
        foreach (string? token in new[] { null, "", "wrong", own[..^1], await DeskWorld.SessionTokenAsync(sato), await DeskWorld.SessionTokenAsync(tanakaAgain) })
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, type) };
            if (token is not null)
                post.Headers.TryAddWithoutValidation(AntiForgery.Header, token);
            await AssertRefused(await tanaka.SendAsync(post));
        }
        Assert.Equal(stored, Directory.GetFiles(_w.Config.Desk.DataDir, "*.json").Length); // a refused request is not answered

        tanaka.DefaultRequestHeaders.Add(AntiForgery.Header, own);
        HttpResponseMessage ok = await tanaka.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, type));
        Assert.True(ok.IsSuccessStatusCode, $"{path}: {ok.StatusCode} {await ok.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Signing_out_needs_the_token_and_a_post_without_a_session_is_still_401()
    {
        HttpClient tanaka = await _w.ClientAsync("tanaka");
        string token = await DeskWorld.SessionTokenAsync(tanaka);
        tanaka.DefaultRequestHeaders.Remove(AntiForgery.Header);
        await AssertRefused(await tanaka.PostAsync("logout", new FormUrlEncodedContent([])));
        Assert.Equal(HttpStatusCode.OK, (await tanaka.GetAsync("api/v1/me")).StatusCode); // still signed in
        HttpResponseMessage r = await tanaka.PostAsync("logout", new FormUrlEncodedContent([KeyValuePair.Create("csrf", token)]));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tanaka.GetAsync("api/v1/me")).StatusCode);

        using HttpClient anonymous = Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("api/v1/requests", DeskWorld.Json("{}"))).StatusCode);
    }

    [Theory]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abd", false)]
    [InlineData("abc", "ab", false)]
    [InlineData("abc", "abcd", false)]
    [InlineData("", "", false)]
    [InlineData(null, null, false)]
    [InlineData("abc", null, false)]
    [InlineData(null, "abc", false)]
    public void Tokens_match_only_when_both_are_there_and_equal(string? expected, string? presented, bool match) =>
        Assert.Equal(match, AntiForgery.Matches(expected, presented));

    [Fact]
    public void New_tokens_are_random_base64url_of_32_bytes()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => AntiForgery.NewToken()).ToHashSet();
        Assert.Equal(100, tokens.Count);
        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]{43}$", t));
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex HiddenToken();
}
