using System.Buffers.Binary;
using CeAgent.Leds;
using CeAgent.Service;

namespace CeAgent.Tests.Leds;

public sealed class LedTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ce-leds-" + Guid.NewGuid().ToString("N")[..8]);

    public LedTests()
    {
        foreach (string led in new[] { "green:status", "red:fault" })
        {
            Directory.CreateDirectory(Path.Combine(_root, led));
            File.WriteAllText(Path.Combine(_root, led, "trigger"), "[none] timer heartbeat");
            File.WriteAllText(Path.Combine(_root, led, "brightness"), "0");
            File.WriteAllText(Path.Combine(_root, led, "max_brightness"), "255\n");
        }
    }

    public void Dispose() => Directory.Delete(_root, true);

    private string Read(string led, string file) => File.ReadAllText(Path.Combine(_root, led, file));

    [Fact]
    public void Sysfs_steady_and_blinking_use_brightness_and_the_timer_trigger()
    {
        using var driver = new LedDriver(new SysfsLeds(_root), "green:status", "red:fault");
        driver.Show(HealthState.Running);
        Assert.Equal(("none", "255", "none", "0"), (Read("green:status", "trigger"), Read("green:status", "brightness"), Read("red:fault", "trigger"), Read("red:fault", "brightness")));
        driver.Show(HealthState.Spooling);
        Assert.Equal(("timer", "200", "200"), (Read("green:status", "trigger"), Read("green:status", "delay_on"), Read("green:status", "delay_off")));
        driver.Show(HealthState.Fault);
        Assert.Equal(("none", "0", "255"), (Read("green:status", "trigger"), Read("green:status", "brightness"), Read("red:fault", "brightness")));
    }

    [Fact]
    public void A_missing_led_is_named()
    {
        var e = Assert.Throws<IOException>(() => new SysfsLeds(_root).Show("blue:wan", LedPattern.Steady));
        Assert.Contains("blue:wan", e.Message);
    }

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

    /// <summary>The GPIO character device, faked at the ioctl: the request and value structs are checked byte by byte.</summary>
    private sealed class FakeGpio : IGpioIoctl
    {
        public List<string> Opened { get; } = [];
        public List<byte[]> Requests { get; } = [];
        public List<(int Fd, ulong Bits, ulong Mask)> Values { get; } = [];
        public List<int> Closed { get; } = [];

        public int Open(string path)
        {
            Opened.Add(path);
            return 3;
        }

        public void Ioctl(int fd, uint request, byte[] b)
        {
            if (request == GpioLeds.GetLineIoctl)
            {
                Requests.Add((byte[])b.Clone());
                BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(GpioLeds.FdOffset), 40 + Requests.Count);
            }
            else if (request == GpioLeds.SetValuesIoctl)
                Values.Add((fd, BinaryPrimitives.ReadUInt64LittleEndian(b), BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8))));
            else
                throw new IOException($"unexpected ioctl 0x{request:x8}");
        }

        public void Close(int fd) => Closed.Add(fd);
    }

    [Fact]
    public void Gpio_requests_an_output_line_once_and_sets_it()
    {
        var fake = new FakeGpio();
        using (var gpio = new GpioLeds(fake))
        {
            gpio.Show("gpiochip0:17", LedPattern.Steady);
            gpio.Show("gpiochip0:17", LedPattern.Off);
            byte[] req = Assert.Single(fake.Requests);
            Assert.Equal(17u, BinaryPrimitives.ReadUInt32LittleEndian(req));
            Assert.Equal("ce-agent", System.Text.Encoding.ASCII.GetString(req, GpioLeds.ConsumerOffset, 8));
            Assert.Equal(GpioLeds.FlagOutput, BinaryPrimitives.ReadUInt64LittleEndian(req.AsSpan(GpioLeds.FlagsOffset)));
            Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(req.AsSpan(GpioLeds.NumLinesOffset)));
            Assert.Equal(["/dev/gpiochip0"], fake.Opened);
            Assert.Equal([(41, 1UL, 1UL), (41, 0UL, 1UL)], fake.Values);
            Assert.Equal([3], fake.Closed); // the chip, once the line is held
        }
        Assert.Contains(41, fake.Closed);
    }

    [Fact]
    public void Gpio_blinks_by_toggling_on_its_timer()
    {
        var fake = new FakeGpio();
        using var gpio = new GpioLeds(fake);
        gpio.Show("gpiochip1:4", LedPattern.Blink(200, 300));
        long t0 = Environment.TickCount64;
        gpio.Tick(t0 + 250);  // off after 200 ms on
        gpio.Tick(t0 + 400);  // not yet: off lasts 300 ms
        gpio.Tick(t0 + 600);  // on again
        Assert.Equal([1UL, 0UL, 1UL], fake.Values.Select(v => v.Bits));
        Assert.Throws<FormatException>(() => gpio.Show("gpiochip1", LedPattern.Steady));
    }

    [Fact]
    public void Gpio_ioctl_numbers_match_the_kernel_headers()
    {
        Assert.Equal(0xC250B407u, GpioLeds.GetLineIoctl);
        Assert.Equal(0xC010B40Fu, GpioLeds.SetValuesIoctl);
    }
}
