using System.Globalization;

namespace CeAgent.Clock;

/// <summary>
/// What OpenWrt's ntp hotplug script (rootfs/openwrt/etc/hotplug.d/ntp/50-ce-agent) reports after busybox
/// ntpd changes stratum: busybox ntpd disciplines the clock but may never clear the kernel's unsynchronised
/// flag, so the agent takes this explicit word instead. File format, one line of key=value pairs:
/// <c>action=stratum stratum=2 offset=0.000123 uptime=1234.56</c> (offset in seconds as ntpd reports it;
/// uptime from /proc/uptime, so the signal's age is known even if the clock stepped since).
/// </summary>
public sealed record NtpSignal(string Action, int Stratum, double OffsetSeconds, double UptimeSeconds)
{
    public const string DefaultPath = "/var/run/ce-agent/ntp-signal";
    /// <summary>busybox ntpd polls at most every 2^11 s; a signal older than two polls is stale.</summary>
    public const double MaxAgeSeconds = 2 * 2048;
    /// <summary>The error attributed to an NTP-disciplined clock beyond the reported offset.</summary>
    public const long BaseErrorNs = 100_000_000;

    public long ErrorNs => BaseErrorNs + (long)(Math.Abs(OffsetSeconds) * 1e9);

    public bool IsFresh(long boottimeNs) =>
        Action is "stratum" or "periodic" or "step" && Stratum is > 0 and < 16
        && boottimeNs / 1e9 - UptimeSeconds is >= -5 and <= MaxAgeSeconds;

    public static NtpSignal Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0)
                throw new FormatException($"ntp signal: '{part}' is not key=value");
            fields[part[..eq]] = part[(eq + 1)..];
        }
        string Get(string k) => fields.TryGetValue(k, out string? v) ? v : throw new FormatException($"ntp signal: missing {k}=");
        double Num(string k) => double.TryParse(Get(k), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
            ? d : throw new FormatException($"ntp signal: {k}='{Get(k)}' is not a number");
        int stratum = (int)Num("stratum");
        return new NtpSignal(Get("action"), stratum, fields.ContainsKey("offset") ? Num("offset") : 0, Num("uptime"));
    }

    /// <summary>Reads the file; a missing file is no signal, a malformed one is reported and ignored.</summary>
    public static NtpSignal? TryRead(string path, Action<string>? report = null)
    {
        try
        {
            return File.Exists(path) ? Parse(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            report?.Invoke($"{path}: {e.Message}");
            return null;
        }
    }
}
