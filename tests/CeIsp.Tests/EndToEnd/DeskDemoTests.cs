using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CeAgent.TestKit;
using CeIsp.Tests.Desk;

namespace CeIsp.Tests.EndToEnd;

/// <summary>
/// `make demo SERVE=1`: the demo world's real agents, broker and collector fill the store; the desk it
/// starts answers one of the provider's logged accesses over HTTP, and the evidence bundle it hands out
/// verifies with its own Node script.
/// </summary>
public class DeskDemoTests
{
    [RootFact("nft", "conntrack", "mosquitto", "openssl", "socat", "node")]
    public async Task The_demo_desk_answers_a_logged_access_with_a_verifiable_bundle()
    {
        string root = Host.RepoRoot;
        int port = FreePort();
        using var demo = new BackgroundProc("bash", [Path.Combine(root, "tools/demo.sh")], new Dictionary<string, string> { ["SERVE"] = "1", ["DESK_PORT"] = $"{port}" });
        try
        {
            Assert.True(demo.WaitFor(l => l.Contains("the abuse desk: http://127.0.0.1:", StringComparison.Ordinal), 240_000), string.Join('\n', demo.Lines) + demo.Stderr);
            // Household 1's later access: alone in its window, the demo resolves it to line-1.
            string access = demo.Lines.First(l => l.StartsWith("access 3 at ", StringComparison.Ordinal));
            string time = access.Split(' ')[3];
            var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            Assert.Equal(HttpStatusCode.NoContent, (await DeskWorld.SignInAsync(client, "demo", "demo-desk-password")).StatusCode);
            client.DefaultRequestHeaders.Add(CeIsp.Desk.AntiForgery.Header, await DeskWorld.SessionTokenAsync(client));
            string request = $$"""{"requester":"demo","reference":"demo access 3","observations":[{"ip":"192.0.2.18","time":"{{time}}","timeAccuracyMs":1000,"dstIp":"203.0.113.10","dstPort":80,"proto":"tcp"}]}""";
            HttpResponseMessage r = await client.PostAsync("api/v1/requests", DeskWorld.Json(request));
            JsonElement v = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("unique", v.GetProperty("verdict").GetString());
            Assert.Equal("line-1", v.GetProperty("line").GetString());
            string dir = Directory.CreateTempSubdirectory("ce-desk-demo-").FullName;
            try
            {
                EvidenceBundleTests.Extract(await client.GetStreamAsync($"api/v1/requests/{v.GetProperty("id").GetString()}/evidence"), Path.Combine(dir, "b"));
                ProcResult check = EvidenceBundleTests.Verify(Path.Combine(dir, "b"));
                Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
                Assert.Contains("verdict unique -> line-1: every check passed", check.Stdout);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        finally
        {
            demo.Signal(15); // the demo's trap tears the world down
            Assert.True(demo.WaitForExit(30_000), "the demo did not stop on SIGTERM");
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
