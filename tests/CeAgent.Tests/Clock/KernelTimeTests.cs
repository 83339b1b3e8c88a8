using System.Runtime.InteropServices;
using System.Text.Json;
using CeAgent.Interop;
using CeAgent.TestKit;

namespace CeAgent.Tests.Clock;

/// <summary>The real syscalls this machine has (adjtimex, clock_gettime, timerfd) and `ce-agent clock`.</summary>
public partial class KernelTimeTests
{
    /// <summary>An independent reading of the unsynchronised flag: its own adjtimex declaration, with the
    /// status field at its x86-64/arm64 offset (40).</summary>
    [LibraryImport("libc", EntryPoint = "adjtimex")]
    private static unsafe partial int Adjtimex(byte* timex);

    private static unsafe bool KernelSaysUnsynchronised()
    {
        byte* t = stackalloc byte[256];
        new Span<byte>(t, 256).Clear();
        int state = Adjtimex(t);
        int status = *(int*)(t + 40);
        return (status & 0x40) != 0 || state == 5;
    }

    [Fact]
    public void Adjtimex_and_clocks_read_sanely()
    {
        KernelNtpState s = TimeApi.ReadNtpState();
        Assert.InRange(s.State, 0, 5);
        Assert.True(s.MaxErrorUs >= 0 && s.EstErrorUs >= 0);
        Assert.Equal(KernelSaysUnsynchronised(), s.Unsynchronized);
        long b1 = TimeApi.NowNs(TimeApi.ClockBoottime), b2 = TimeApi.NowNs(TimeApi.ClockBoottime);
        Assert.True(b2 >= b1 && b1 > 0);
        long real = TimeApi.NowNs(TimeApi.ClockRealtime);
        Assert.InRange(real / 1_000_000_000, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2);
    }

    [Fact]
    public void Step_watch_arms_and_reports_no_step_when_none_happened()
    {
        FileDescriptorHandle watch = TimeApi.CreateStepWatch();
        using (watch)
        {
            Assert.True(watch.DangerousGetHandle() > 2);
            Assert.False(TimeApi.StepHappened(watch));
        }
        Assert.True(watch.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => TimeApi.StepHappened(watch)); // never a read of a reused number
    }

    [Fact]
    public void Clock_json_reports_this_machine_truthfully()
    {
        ProcResult r = Programs.Run("ce-agent", "clock", "--json", "--signal", "/nonexistent").EnsureSuccess("clock --json");
        using var doc = JsonDocument.Parse(r.Stdout);
        JsonElement o = doc.RootElement;
        bool unsync = KernelSaysUnsynchronised();
        Assert.Equal(!unsync, o.GetProperty("synchronized").GetBoolean());
        Assert.Equal(unsync, o.GetProperty("kernel").GetProperty("unsynchronized").GetBoolean());
        if (unsync)
        {
            Assert.Equal("none", o.GetProperty("source").GetString());
            Assert.Equal(JsonValueKind.Null, o.GetProperty("maxErrorMs").ValueKind);
        }
        DateTimeOffset utc = DateTimeOffset.Parse(o.GetProperty("utc").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange((DateTimeOffset.UtcNow - utc).TotalSeconds, -5, 5);
        Assert.True(o.GetProperty("boottimeNs").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Array, o.GetProperty("references").ValueKind);
    }
}
