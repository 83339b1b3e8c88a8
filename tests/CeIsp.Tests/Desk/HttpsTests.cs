using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CeAgent.TestKit;

namespace CeIsp.Tests.Desk;

/// <summary>The desk with the ISP's certificate: TLS that a client trusting only the ISP's CA accepts,
/// a Secure session cookie, and HSTS.</summary>
public sealed class HttpsTests : IAsyncLifetime
{
    private readonly TestCerts _pki = new();
    private DeskWorld _w = null!;

    public async Task InitializeAsync()
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(_pki.CaCert));
        var handler = new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { ca }, RevocationMode = X509RevocationMode.NoCheck },
            },
        };
        _w = await new DeskWorld((_pki.ServerCert, _pki.ServerKey), handler).StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _w.DisposeAsync();
        _pki.Dispose();
    }

    [Fact]
    public async Task The_desk_serves_https_with_the_isps_certificate_and_a_secure_cookie()
    {
        Assert.Equal("https", _w.Address.Scheme);
        using var raw = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _w.Address };
        HttpResponseMessage login = await raw.PostAsync("api/v1/login", DeskWorld.Json($"{{\"user\":\"tanaka\",\"password\":\"{DeskWorld.Password}\"}}"))
            .ContinueWith(t => t.IsFaulted ? null! : t.Result);
        Assert.Null(login); // a client that does not trust the ISP's CA gets no connection

        HttpClient tanaka = await _w.ClientAsync("tanaka");
        HttpResponseMessage r = await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (1250, Scenario.D4, null))));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.Equal("max-age=31536000", r.Headers.GetValues("Strict-Transport-Security").Single());
        using var trusting = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        }) { BaseAddress = _w.Address };
        // The sign-in form's anti-forgery cookie and the session cookie: both Secure and SameSite=Strict.
        HttpResponseMessage form = await trusting.GetAsync("login");
        HttpResponseMessage again = await DeskWorld.SignInAsync(trusting, "tanaka", DeskWorld.Password);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        foreach (string cookie in form.Headers.GetValues("Set-Cookie").Concat(again.Headers.GetValues("Set-Cookie")))
        {
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        }
    }
}
