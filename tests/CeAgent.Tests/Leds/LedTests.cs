using CeAgent.Leds;
using CeAgent.Service;

namespace CeAgent.Tests.Leds;

/// <summary>The LED code (pure) and what drives it onto the LEDs; the back ends have their own test files.</summary>
public sealed class LedTests
{
    [Theory]
    [InlineData(true, false, true, 0.1, false, HealthState.Fault)]
    [InlineData(false, false, true, 0.1, true, HealthState.Spooling)]
    [InlineData(false, true, false, 0.1, true, HealthState.ClockUnsynchronized)]
    [InlineData(false, true, true, 0.95, false, HealthState.PortsNearExhaustion)]
    [InlineData(false, true, true, 0.2, true, HealthState.PortsNearExhaustion)]
    [InlineData(false, true, true, 0.5, false, HealthState.Running)]
    public void Health_maps_to_one_state_in_priority_order(bool fault, bool broker, bool clock, double use, bool refused, HealthState expected) =>
        Assert.Equal(expected, new Health(fault, broker, clock, use, 3, fault ? "x" : null, refused).State);

    [Fact]
    public void Health_says_whether_the_port_set_is_nearly_full_or_the_nat_refused_flows()
    {
        Assert.Equal("publishing; port set 95% in use", new Health(false, true, true, 0.95, 0, null).Describe().Replace(" %", "%"));
        Assert.Contains("the NAT refused flows", new Health(false, true, true, 0.2, 0, null, FlowsRefused: true).Describe());
    }

    [Fact]
    public void Every_state_has_a_distinct_code()
    {
        var codes = Enum.GetValues<HealthState>().Select(LedCode.For).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void Sequences_of_pipeline_states_only_write_on_changes()
    {
        var fake = new RecordingBackend();
        using var driver = new LedDriver(fake, "s", "f");
        foreach (var s in new[] { HealthState.Starting, HealthState.Starting, HealthState.ClockUnsynchronized, HealthState.Running, HealthState.Running, HealthState.Spooling, HealthState.Running })
            driver.Show(s);
        Assert.Equal(10, fake.Calls.Count); // five changes, two LEDs each
        Assert.Equal(("s", LedPattern.Steady), fake.Calls[^2]);
    }

    private sealed class RecordingBackend : ILedBackend
    {
        public List<(string, LedPattern)> Calls { get; } = [];
        public void Show(string led, LedPattern pattern) => Calls.Add((led, pattern));
        public void Dispose() { }
    }
}
