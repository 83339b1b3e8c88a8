using System.Text.Json;
using CeAgent.TestKit;

namespace CeIsp.Tests.Desk;

/// <summary>
/// The page in a real browser: Debian's chromium, headless, driven by tests/web/desk.mjs (playwright-core)
/// against `ce-isp serve` over real stored data. The screenshots land in build/desk-screenshots.
/// </summary>
public sealed class BrowserTests : IAsyncLifetime
{
    private readonly DeskWorld _w = new();

    public async Task InitializeAsync() => await _w.StartAsync();

    public async Task DisposeAsync() => await _w.DisposeAsync();

    [RootFact("node", "chromium")]
    public async Task A_desk_officer_goes_from_pasted_lines_to_a_verdict_and_its_evidence()
    {
        string root = Host.RepoRoot;
        Assert.True(Directory.Exists(Path.Combine(root, "tests/web/node_modules/playwright-core")), "run make deps (npm ci in tests/web)");
        string shots = Path.Combine(root, "build/desk-screenshots");
        Directory.CreateDirectory(shots);
        // The provider's log, in JST: two accesses of one sender, each alone ambiguous or shared.
        string Line(long second, string dst) =>
            $"192.0.2.18,{DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + second).ToOffset(TimeSpan.FromHours(9)):yyyy-MM-ddTHH:mm:sszzz},{dst},443";
        var env = new Dictionary<string, string>
        {
            ["DESK_URL"] = _w.Address.ToString(), ["DESK_USER"] = "tanaka", ["DESK_PASSWORD"] = DeskWorld.Password,
            ["DESK_TEXT"] = Line(15, "203.0.113.10") + "\n" + Line(205, "203.0.113.20"), ["DESK_ACCURACY_MS"] = "1000",
            ["DESK_EXPECT_VERDICT"] = "unique", ["DESK_EXPECT_LINE"] = "line-a", ["DESK_OUT"] = shots,
        };
        // The server runs in this process: the browser must not block its thread pool while it waits.
        ProcResult r = await Task.Run(() => Proc.Run("node", [Path.Combine(root, "tests/web/desk.mjs")], timeoutMs: 120_000, env: env));
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        JsonElement result = JsonDocument.Parse(r.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("badge unique", result.GetProperty("verdict").GetString());
        Assert.True(new FileInfo(Path.Combine(shots, "evidence.zip")).Length > 1000);
        string audit = File.ReadAllText(_w.Config.AuditLog);
        Assert.Contains("\"sign-in-refused\"", audit);
        Assert.Contains("\"evidence\"", audit);
    }
}
