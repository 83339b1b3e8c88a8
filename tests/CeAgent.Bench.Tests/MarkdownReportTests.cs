using CeAgent.Bench.Report;

namespace CeAgent.Bench.Tests;

public sealed class MarkdownReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-bench-md-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void ReplacesOnlyTheTextBetweenTheMarkers()
    {
        string path = Path.Combine(_dir, "a.md");
        File.WriteAllText(path, $"# Title\nwhy we chose\n{MarkdownReport.Begin()}\nold numbers\n{MarkdownReport.End()}\n"
            + $"{MarkdownReport.Begin("bench-isp")}\nisp numbers\n{MarkdownReport.End("bench-isp")}\nwhat surprised us\n");
        MarkdownReport.WriteInto(path, "new numbers\n");
        string text = File.ReadAllText(path);
        Assert.Contains("why we chose", text);
        Assert.Contains("what surprised us", text);
        Assert.Contains("new numbers", text);
        Assert.DoesNotContain("old numbers", text);
        Assert.Contains("isp numbers", text); // another generator's section is left alone
        MarkdownReport.WriteInto(path, "new isp numbers\n", "bench-isp");
        text = File.ReadAllText(path);
        Assert.Contains("new numbers", text);
        Assert.Contains("new isp numbers", text);
        Assert.DoesNotContain("\nisp numbers", text);
    }

    [Fact]
    public void RefusesAFileWithoutMarkersInsteadOfClobberingIt()
    {
        string path = Path.Combine(_dir, "b.md");
        File.WriteAllText(path, "hand-written only\n");
        var e = Assert.Throws<InvalidDataException>(() => MarkdownReport.WriteInto(path, "x"));
        Assert.Contains("markers", e.Message);
        Assert.Equal("hand-written only\n", File.ReadAllText(path));
    }

    [Fact]
    public void RendersGoalsAndEveryRequestKind()
    {
        string md = MarkdownReport.Render(TinyWorld.Result, "test");
        Assert.Contains("### Goals", md);
        foreach (var kind in Queries.QueryKind.All)
            Assert.Contains($"| {kind} |", md);
    }
}
