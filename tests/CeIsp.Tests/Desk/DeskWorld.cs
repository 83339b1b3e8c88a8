using System.Net;
using CeIsp.Audit;
using CeIsp.Collector;
using CeIsp.Config;
using CeIsp.Desk;
using CeIsp.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CeIsp.Tests.Desk;

/// <summary>
/// A desk over real stored data: the <see cref="Scenario"/>'s signed chains collected into SQLite (ce-c's
/// second message missing: a gap), accounts in a users file, `ce-isp serve`'s server on a loopback port.
/// </summary>
public sealed class DeskWorld : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";
    public Scenario S { get; } = new();
    public string Dir { get; } = Directory.CreateTempSubdirectory("ce-desk-").FullName;
    public IspConfig Config { get; }
    public Uri Address { get; private set; } = null!;
    private WebApplication? _app;

    private readonly HttpMessageHandler? _tls;

    /// <summary>Plain HTTP on loopback; or HTTPS with the certificate and a client handler that trusts its CA.</summary>
    public DeskWorld((string Cert, string Key)? https = null, HttpMessageHandler? tls = null)
    {
        _tls = tls;
        Config = new IspConfig
        {
            Store = new StoreConfig { Kind = "sqlite", Target = Path.Combine(Dir, "summaries.db") },
            MasterKey = Convert.ToHexString(Scenario.MasterKey),
            AuditLog = Path.Combine(Dir, "audit.jsonl"),
            Desk = new DeskConfig { Users = Path.Combine(Dir, "users.json"), DataDir = Path.Combine(Dir, "desk"), CertFile = https?.Cert, KeyFile = https?.Key },
            Devices = [.. S.Ces.Select(ce => new EnrolledDevice { CeId = ce.Id, Line = "line-" + ce.Id[3..], PublicKeyPem = ce.Key.ExportSubjectPublicKeyInfoPem() })],
        };
        using (SummaryStore store = SummaryStore.Sqlite(Config.Store.Target))
        {
            S.Enroll(store);
            var collector = new SummaryCollector(store, trustOnFirstUse: false);
            foreach (var ce in S.Ces)
                for (int i = 0; i < ce.Messages.Count; i++)
                    if (!(ce.Id == "ce-c" && i == 1))
                        Assert.Equal(IngestOutcome.Stored, collector.Ingest($"ce/v1/{ce.Id}/summary", ce.Messages[i]).Outcome);
        }
        var users = new AccountsFile
        {
            Users =
            [
                User("tanaka", Roles.Requester), User("sato", Roles.Requester), User("kansa", Roles.Auditor), User("kanri", Roles.Administrator),
            ],
        };
        File.WriteAllText(Config.Desk.Users, System.Text.Json.JsonSerializer.Serialize(users, CeIsp.Desk.DeskJson.Default.AccountsFile));
    }

    private static Account User(string name, string role) =>
        new() { Name = name, Roles = [role], Password = PasswordHash.Create(Password, PasswordHash.MinIterations) };

    /// <summary>Starts (or restarts, on the same port) the server as `ce-isp serve` builds it.</summary>
    public async Task<DeskWorld> StartAsync()
    {
        await StopAsync();
        string listen = _app is null && Address is null ? "127.0.0.1:0" : $"127.0.0.1:{Address!.Port}";
        AuditLog audit = AuditLog.Open(Config.AuditLog);
        var service = new DeskService(Config, new RequestArchive(Config.Desk.DataDir), audit);
        _app = DeskServer.Build(Config, Accounts.Load(Config.Desk.Users), service, listen);
        await _app.StartAsync();
        string url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(url.EndsWith('/') ? url : url + "/");
        return this;
    }

    public async Task StopAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>A client signed in as the account (cookies kept), sending its session's anti-forgery token with
    /// every request as the page does; or not signed in when name is null.</summary>
    public async Task<HttpClient> ClientAsync(string? name)
    {
        var client = new HttpClient(_tls ?? new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }, disposeHandler: _tls is null) { BaseAddress = Address };
        if (name is not null)
        {
            HttpResponseMessage r = await SignInAsync(client, name, Password);
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
            client.DefaultRequestHeaders.Add(AntiForgery.Header, await SessionTokenAsync(client));
        }
        return client;
    }

    /// <summary>The API sign-in as a script does it: the sign-in token first, then the name and password.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string name, string password)
    {
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "api/v1/login") { Content = Json($"{{\"user\":\"{name}\",\"password\":\"{password}\"}}") };
        signIn.Headers.Add(AntiForgery.Header, await TokenAsync(client, "api/v1/csrf", "token"));
        return await client.SendAsync(signIn);
    }

    /// <summary>The signed-in session's anti-forgery token, as the page reads it.</summary>
    public static Task<string> SessionTokenAsync(HttpClient client) => TokenAsync(client, "api/v1/me", "csrfToken");

    private static async Task<string> TokenAsync(HttpClient client, string path, string field)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(path));
        string token = doc.RootElement.GetProperty(field).GetString()!;
        Assert.True(token.Length >= 40, $"{path}: token '{token}'");
        return token;
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>A request JSON as `ce-isp resolve` takes it: observations at seconds after T0 to a destination.</summary>
    public static string Request(string requester, params (long Second, CeAgent.Shared.Summary.FlowKey Dst, int? SrcPort)[] obs) =>
        $$"""{"requester":"{{requester}}","reference":"case 42","observations":[{{string.Join(",", obs.Select(o =>
            $$"""{"ip":"192.0.2.18","time":"{{DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + o.Second):yyyy-MM-ddTHH:mm:ssZ}}","timeAccuracyMs":1000,"dstIp":"{{o.Dst.Destination}}","dstPort":{{o.Dst.Port}},"proto":"{{o.Dst.Proto.ToString().ToLowerInvariant()}}"{{(o.SrcPort is { } p ? $",\"srcPort\":{p}" : "")}}}"""))}}]}""";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        S.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
