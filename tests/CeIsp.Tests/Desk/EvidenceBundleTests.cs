using System.IO.Compression;
using System.Net;
using System.Text.Json;
using CeAgent.TestKit;

namespace CeIsp.Tests.Desk;

/// <summary>
/// The evidence bundle of a real answer, checked by its own script with Node, cbor and cose-js (the
/// packages tests/interop installs): no ce-isp code takes part in the check. Tampering fails it.
/// </summary>
public sealed class EvidenceBundleTests : IAsyncLifetime
{
    private readonly DeskWorld _w = new();
    private string _bundle = "";

    public async Task InitializeAsync()
    {
        await _w.StartAsync();
        HttpClient tanaka = await _w.ClientAsync("tanaka");
        HttpResponseMessage r = await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (15, Scenario.D1, null), (205, Scenario.D2, null))));
        string id = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        HttpResponseMessage zip = await tanaka.GetAsync($"api/v1/requests/{id}/evidence");
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        Assert.Equal("application/zip", zip.Content.Headers.ContentType!.MediaType);
        _bundle = Extract(await zip.Content.ReadAsStreamAsync(), Path.Combine(_w.Dir, "bundle"));
        Assert.Contains($"{id}", File.ReadAllText(_w.Config.AuditLog).Split('\n').Single(l => l.Contains("\"evidence\"")));
    }

    public async Task DisposeAsync() => await _w.DisposeAsync();

    /// <summary>Unzips a bundle where node can run its script: its package.json names the packages tests/interop installs.</summary>
    internal static string Extract(Stream zip, string dir)
    {
        ZipFile.ExtractToDirectory(zip, dir);
        Directory.CreateSymbolicLink(Path.Combine(dir, "node_modules"), Path.Combine(Host.RepoRoot, "tests/interop/node_modules"));
        return dir;
    }

    internal static ProcResult Verify(string dir) => Proc.Run("node", [Path.Combine(dir, "verify.mjs"), dir], timeoutMs: 60_000);

    private ProcResult Verify() => Verify(_bundle);

    [RootFact("node")]
    public void The_bundle_verifies_with_an_independent_implementation()
    {
        ProcResult r = Verify();
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("verdict unique -> line-a: every check passed", r.Stdout);
        Assert.Contains("ce-a sequence 1 window 0 lists 203.0.113.10:443/tcp for observation 0: listed", r.Stdout);
        Assert.Contains("lists 203.0.113.20:443/tcp for observation 1: listed", r.Stdout);
        Assert.Contains("chain: ce-a 1 -> 2", r.Stdout);
        Assert.DoesNotContain("FAIL", r.Stdout);
        // Neither the master nor a CE's key, which open every filter, is in it; the per-window hashes are.
        string[] keys = [Convert.ToHexStringLower(Scenario.MasterKey), .. new[] { "ce-a", "ce-b", "ce-c" }.Select(ce =>
            Convert.ToHexStringLower(CeAgent.Shared.Secrets.FilterKeys.Derive(Scenario.MasterKey, ce, Scenario.Epoch)))];
        Assert.All(Directory.EnumerateFiles(_bundle, "*.json", SearchOption.AllDirectories), f =>
            Assert.All(keys, key => Assert.DoesNotContain(key, File.ReadAllText(f), StringComparison.OrdinalIgnoreCase)));
    }

    [RootFact("node")]
    public void A_tampered_message_fails()
    {
        string file = Directory.EnumerateFiles(Path.Combine(_bundle, "messages", "ce-a")).Order().First();
        byte[] bytes = File.ReadAllBytes(file);
        bytes[bytes.Length - 70] ^= 1; // in the payload, before the signature
        File.WriteAllBytes(file, bytes);
        ProcResult r = Verify();
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"FAIL messages/ce-a/{Path.GetFileName(file)}: the signature does not verify", r.Stdout);
    }

    [RootFact("node")]
    public void Filter_material_for_another_destination_fails()
    {
        string path = Path.Combine(_bundle, "filter-material.json");
        string text = File.ReadAllText(path);
        string hash = JsonDocument.Parse(text).RootElement[0].GetProperty("keyedHash").GetString()!;
        File.WriteAllText(path, text.Replace(hash, (ulong.Parse(hash, System.Globalization.NumberStyles.HexNumber) ^ 0x8000_0000_0000_0000UL).ToString("x16")));
        ProcResult r = Verify();
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the filter holds no such entry at that time", r.Stdout);
        Assert.Contains("is not confirmed", r.Stdout);
    }
}
