using System.Text.Json.Nodes;
using CeAgent.TestKit;
using CeIsp.Fleet;

namespace CeIsp.Tests.Fleet;

public sealed class EpochCheckTests : IDisposable
{
    private static readonly DateTimeOffset Since = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly EpochPolicy Policy = new() { Current = 3, Since = Since, GraceDays = 7 };
    private readonly string _dir = Directory.CreateTempSubdirectory("fleet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    // (epoch, days after the current epoch began, expected flag fragment or null)
    [InlineData(3u, 0.5, null)]
    [InlineData(3u, 30.0, null)]
    [InlineData(2u, 6.9, null)]          // in transition: the new key may not have reached it yet
    [InlineData(2u, 7.0, null)]          // the grace period's last instant
    [InlineData(2u, 7.01, "still on epoch 2")]
    [InlineData(1u, 8.0, "still on epoch 1")]
    [InlineData(1u, -3.0, null)]         // its newest message predates the epoch: offline, not stale
    [InlineData(4u, 1.0, "ahead of the current epoch 3")]
    [InlineData(0u, 1.0, "no filter key epoch")]
    public void Flags_CEs_that_keep_an_old_key_too_long(uint epoch, double days, string? expected)
    {
        string? flag = EpochCheck.Flag(Policy, new CeEpoch("ce-a", 10, epoch, Since.AddDays(days)));
        if (expected is null)
            Assert.Null(flag);
        else
            Assert.Contains(expected, flag, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_grace_flags_any_old_epoch_after_the_change()
    {
        var p = new EpochPolicy { Current = 2, Since = Since, GraceDays = 0 };
        Assert.Null(EpochCheck.Flag(p, new CeEpoch("c", 1, 1, Since)));
        Assert.NotNull(EpochCheck.Flag(p, new CeEpoch("c", 1, 1, Since.AddSeconds(1))));
    }

    [Theory]
    [InlineData(0u, 7, true, "filterKeyEpoch.current")]
    [InlineData(1u, 7, false, "filterKeyEpoch.since")]
    [InlineData(1u, -1, true, "filterKeyEpoch.graceDays: -1")]
    [InlineData(1u, 366, true, "filterKeyEpoch.graceDays: 366")]
    public void Bad_policies_are_named(uint current, int grace, bool withSince, string expected) =>
        Assert.Contains(expected, new EpochPolicy { Current = current, GraceDays = grace, Since = withSince ? Since : default }.Problem(), StringComparison.Ordinal);

    [Fact]
    public void The_fleet_report_flags_the_CE_that_did_not_rotate()
    {
        using var s = new Scenario();
        // ce-a moved to epoch 2; ce-b and ce-c still send under epoch 1 (all received "now", long after the change).
        Scenario.Flows(s.Ces[0], [(3, Scenario.D3, 5000, 5010)], epoch: 2);
        string db = Path.Combine(_dir, "s.db");
        s.Collect(db, s.Ces).Store.Dispose();
        string config = Path.Combine(_dir, "isp.json");
        File.WriteAllText(config, new JsonObject
        {
            ["store"] = new JsonObject { ["kind"] = "sqlite", ["target"] = db },
            ["filterKeyEpoch"] = new JsonObject { ["current"] = 2, ["since"] = "2020-01-01T00:00:00Z", ["graceDays"] = 7 },
        }.ToJsonString());
        ProcResult r = Programs.Run("ce-isp", "fleet", "--config", config);
        Assert.Equal(1, r.ExitCode);
        string[] lines = r.Stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("ce-a\tepoch 2\t", StringComparison.Ordinal) && l.EndsWith("\tok", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ce-b\tepoch 1\t", StringComparison.Ordinal) && l.Contains("still on epoch 1", StringComparison.Ordinal));
        Assert.Contains("3 CE(s), 2 flagged", r.Stdout, StringComparison.Ordinal);
    }
}
