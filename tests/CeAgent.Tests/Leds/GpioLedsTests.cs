using System.Device.Gpio;
using CeAgent.Leds;

namespace CeAgent.Tests.Leds;

/// <summary>GpioLeds over System.Device.Gpio's GpioController, with the hardware faked at the library's own
/// driver boundary (a GpioDriver): what the controller asks of a chip is recorded call by call.</summary>
public sealed class GpioLedsTests
{
    /// <summary>One GPIO chip: pins, their modes and every value written.</summary>
    private sealed class FakeChip(int number, int lines = 32) : GpioDriver
    {
        public int Number { get; } = number;
        public List<string> Calls { get; } = [];
        public Dictionary<int, PinMode> Modes { get; } = [];
        public bool Disposed { get; private set; }
        public HashSet<int> Busy { get; } = [];

        protected override int PinCount => lines;
        protected override void OpenPin(int pin)
        {
            if (Busy.Contains(pin))
                throw new InvalidOperationException($"line {pin} is held by another consumer");
            Calls.Add($"open {pin}");
        }
        protected override void ClosePin(int pin) => Calls.Add($"close {pin}");
        protected override void SetPinMode(int pin, PinMode mode) => Modes[pin] = mode;
        protected override PinMode GetPinMode(int pin) => Modes.GetValueOrDefault(pin, PinMode.Input);
        protected override bool IsPinModeSupported(int pin, PinMode mode) => true;
        protected override PinValue Read(int pin) => PinValue.Low;
        protected override void Write(int pin, PinValue value) => Calls.Add($"write {pin} {(value == PinValue.High ? 1 : 0)}");
        protected override WaitForEventResult WaitForEvent(int pin, PinEventTypes types, CancellationToken token) => throw new NotSupportedException();
        protected override void AddCallbackForPinValueChangedEvent(int pin, PinEventTypes types, PinChangeEventHandler callback) => throw new NotSupportedException();
        protected override void RemoveCallbackForPinValueChangedEvent(int pin, PinChangeEventHandler callback) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private readonly Dictionary<int, FakeChip> _chips = [];

    private GpioDriver Chip(int n) => _chips.TryGetValue(n, out FakeChip? c) ? c : _chips[n] = new FakeChip(n);

    [Fact]
    public void A_line_is_opened_once_as_an_output_and_written()
    {
        using (var gpio = new GpioLeds(Chip))
        {
            gpio.Show("gpiochip0:17", LedPattern.Steady);
            gpio.Show("gpiochip0:17", LedPattern.Off);
            gpio.Show("gpiochip2:5", LedPattern.Steady);
            Assert.Equal(["open 17", "write 17 1", "write 17 0"], _chips[0].Calls);
            Assert.Equal(PinMode.Output, _chips[0].Modes[17]);
            Assert.Equal(["open 5", "write 5 1"], _chips[2].Calls);
        }
        Assert.All(_chips.Values, c => Assert.True(c.Disposed));
        Assert.Equal("close 17", _chips[0].Calls[^1]);
    }

    [Fact]
    public void Blinking_toggles_on_the_timer_at_the_patterns_times()
    {
        using var gpio = new GpioLeds(Chip);
        gpio.Show("gpiochip1:4", LedPattern.Blink(200, 300));
        long t0 = Environment.TickCount64;
        gpio.Tick(t0 + 250);  // off after 200 ms on
        gpio.Tick(t0 + 400);  // not yet: off lasts 300 ms
        gpio.Tick(t0 + 600);  // on again
        gpio.Show("gpiochip1:4", LedPattern.Off);
        gpio.Tick(t0 + 5000); // a steady pattern stops the blinking
        Assert.Equal(["open 4", "write 4 1", "write 4 0", "write 4 1", "write 4 0"], _chips[1].Calls);
    }

    [Theory]
    [InlineData("gpiochip0:17", 0, 17)]
    [InlineData("gpiochip12:0", 12, 0)]
    [InlineData("gpiochip1:1023", 1, 1023)]
    [InlineData("gpiochip1:1024", null, null)]
    [InlineData("gpiochip1", null, null)]
    [InlineData("gpiochip:3", null, null)]
    [InlineData("gpiochip-1:3", null, null)]
    [InlineData("gpiochip1:+3", null, null)]
    [InlineData("gpiochip1: 3", null, null)]
    [InlineData("chip1:3", null, null)]
    [InlineData("green:status", null, null)]
    [InlineData("", null, null)]
    public void Names_are_gpiochipN_colon_line(string name, int? chip, int? line) =>
        Assert.Equal(chip is null ? null : (chip.Value, line!.Value), GpioLeds.Parse(name));

    [Fact]
    public void A_bad_name_is_a_format_error_and_a_busy_line_an_io_error_both_naming_the_led()
    {
        using var gpio = new GpioLeds(Chip);
        Assert.Contains("'gpiochip1'", Assert.Throws<FormatException>(() => gpio.Show("gpiochip1", LedPattern.Steady)).Message);
        ((FakeChip)Chip(0)).Busy.Add(3);
        var e = Assert.Throws<IOException>(() => gpio.Show("gpiochip0:3", LedPattern.Steady));
        Assert.Contains("GPIO LED 'gpiochip0:3'", e.Message);
        Assert.Contains("held by another consumer", e.Message);
        Assert.Throws<IOException>(() => new GpioLeds(_ => throw new IOException("gpiochip9: no such chip")).Show("gpiochip9:1", LedPattern.Steady));
    }

    [Fact]
    public void Without_the_chip_the_default_driver_fails_with_an_io_error()
    {
        // No /dev/gpiochip99 here (nor libgpiod, on this machine): either way an IOException, never a crash.
        using var gpio = new GpioLeds();
        var e = Assert.Throws<IOException>(() => gpio.Show("gpiochip99:1", LedPattern.Steady));
        const string prefix = "GPIO LED 'gpiochip99:1': ";
        Assert.StartsWith(prefix, e.Message);
        Assert.Contains("99", e.Message[prefix.Length..]); // the library's or our own words name the chip again
    }
}
