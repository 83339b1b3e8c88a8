using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CeIsp.Resolver;

namespace CeIsp.Desk;

/// <summary>What the desk officer pasted, and what the provider's letter says once for all lines.</summary>
public sealed record ParseInput
{
    /// <summary>"auto" (default), "combined" (Apache/nginx), "csv" or "json" (the CLI's request.json).</summary>
    public string Format { get; set; } = "auto";
    public string Text { get; set; } = "";
    /// <summary>The provider's server (combined logs name only the client): its IPv4 address and port.</summary>
    public string? ServerIp { get; set; }
    public int? ServerPort { get; set; }
    public string Proto { get; set; } = "tcp";
    /// <summary>The provider's stated clock accuracy, applied to every line (request.json carries its own).</summary>
    public long AccuracyMs { get; set; } = 1000;
}

/// <summary>The observations read, and one error per line that could not be read, each naming its line.</summary>
public sealed record ParseResult(string Format, List<Observation> Observations, List<string> Errors)
{
    /// <summary>What was read other than as written, one per field, naming its line (a zero-padded address
    /// read as decimal): shown to the desk user beside the observations.</summary>
    public List<string> Notes { get; init; } = [];
}

/// <summary>
/// Turns a content provider's data into observations: Apache/nginx combined (or common) log lines with the
/// server's address given once, CSV with or without a header, or the CLI's request.json. Pure: no I/O.
/// A line that cannot be read is reported by number and never silently dropped; times must carry their
/// zone (a log without one cannot be placed in UTC, and guessing the zone is how wrong lines get named).
/// IPv4 addresses are four decimal numbers; provider logs often zero-pad them (<c>192.000.002.010</c>), so a
/// padded number is read as decimal (010 is 10, never octal 8) and a note says so for that field.
/// </summary>
public static partial class ObservationParser
{
    public const int MaxLines = 10_000;
    public const int MaxErrors = 100;

    // host ident user [time] "request" ...: the client address and the time are all a combined line gives.
    [GeneratedRegex("""^(?<host>\S+) \S+ \S+ \[(?<time>[^\]]+)\] "(?:[^"\\]|\\.)*"(?: |$)""")]
    private static partial Regex CombinedLine();

    public static ParseResult Parse(ParseInput input)
    {
        string text = input.Text ?? "";
        string format = input.Format switch
        {
            "auto" => text.TrimStart().StartsWith('{') ? "json" : CombinedLine().IsMatch(FirstLine(text)) ? "combined" : "csv",
            "combined" or "csv" or "json" => input.Format,
            _ => throw new FormatException($"format: '{input.Format}' is not auto, combined, csv or json"),
        };
        if (input.AccuracyMs is < 0 or > 86_400_000)
            throw new FormatException($"accuracyMs: {input.AccuracyMs} is outside 0..86400000");
        if (input.Proto is not ("tcp" or "udp"))
            throw new FormatException($"proto: '{input.Proto}' is not tcp or udp");
        if (format == "json")
            return new("json", DisclosureRequest.Parse(text).Observations, []);
        var result = new ParseResult(format, [], []);
        string[] lines = text.Split('\n');
        if (lines.Length > MaxLines)
            throw new FormatException($"text: {lines.Length} lines; at most {MaxLines} at once");
        if (format == "combined")
            Combined(lines, input, result);
        else
            Csv(lines, input, result);
        if (result.Observations.Count == 0 && result.Errors.Count == 0)
            result.Errors.Add("no lines to read");
        return result;
    }

    private static string FirstLine(string text) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";

    private static void Combined(string[] lines, ParseInput input, ParseResult result)
    {
        string? server = input.ServerIp is { Length: > 0 } s ? Ipv4(s, "server address", result) : null;
        if (server is null || input.ServerPort is not (>= 1 and <= 65535))
        {
            result.Errors.Add($"server address: give the provider's server IPv4 address and port once (combined log lines do not carry them); got '{input.ServerIp}' port {input.ServerPort?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            return;
        }
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0)
                continue;
            Match m = CombinedLine().Match(line);
            string at = $"line {i + 1}";
            if (!m.Success)
                Error(result, $"{at}: not a combined/common log line (host ident user [time] \"request\" ...)");
            else if (Ipv4(m.Groups["host"].Value, $"{at}: client address", result) is not { } ip)
                Error(result, $"{at}: client address '{m.Groups["host"].Value}' is not an IPv4 address (MAP-E shares IPv4 addresses only)");
            else if (LogTime(m.Groups["time"].Value) is not { } time)
                Error(result, $"{at}: time '{m.Groups["time"].Value}' is not dd/Mon/yyyy:HH:mm:ss[.fff] +hhmm");
            else
                result.Observations.Add(new Observation { Ip = ip, Time = time, TimeAccuracyMs = input.AccuracyMs, DstIp = server, DstPort = input.ServerPort, Proto = input.Proto });
        }
    }

    /// <summary>Apache's %t: 02/Dec/2026:17:49:13 +0900 (fractions allowed, as some nginx formats log).</summary>
    public static DateTimeOffset? LogTime(string s)
    {
        int space = s.LastIndexOf(' ');
        if (space < 0 || Zone(s[(space + 1)..]) is not { } zone)
            return null;
        string[] forms = ["dd/MMM/yyyy:HH:mm:ss", "dd/MMM/yyyy:HH:mm:ss.FFFFFFF"];
        return DateTime.TryParseExact(s[..space], forms, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime local)
            ? new DateTimeOffset(local, zone) : null;
    }

    private static TimeSpan? Zone(string z)
    {
        if (z.Length != 5 || z[0] is not ('+' or '-') || !int.TryParse(z.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || !int.TryParse(z.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int m) || h > 14 || m > 59)
            return null;
        var t = new TimeSpan(h, m, 0);
        return z[0] == '-' ? -t : t;
    }

    private static readonly Dictionary<string, string> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ip"] = "ip", ["src_ip"] = "ip", ["source_ip"] = "ip", ["client"] = "ip", ["client_ip"] = "ip",
        ["time"] = "time", ["timestamp"] = "time",
        ["dst_ip"] = "dst_ip", ["destination_ip"] = "dst_ip", ["server_ip"] = "dst_ip",
        ["dst_port"] = "dst_port", ["destination_port"] = "dst_port", ["server_port"] = "dst_port",
        ["src_port"] = "src_port", ["source_port"] = "src_port", ["client_port"] = "src_port",
        ["proto"] = "proto", ["protocol"] = "proto",
    };

    /// <summary>Without a header: source IPv4, time, destination IPv4, destination port[, source port].</summary>
    private static readonly string[] DefaultColumns = ["ip", "time", "dst_ip", "dst_port", "src_port"];

    private static void Csv(string[] lines, ParseInput input, ParseResult result)
    {
        string[]? columns = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            string at = $"line {i + 1}";
            if (CsvFields(line) is not { } fields)
            {
                Error(result, $"{at}: an unterminated quote");
                continue;
            }
            if (columns is null)
            {
                if (fields.Any(f => Columns.ContainsKey(f)))
                {
                    if (fields.FirstOrDefault(f => !Columns.ContainsKey(f)) is { } unknown)
                    {
                        Error(result, $"{at}: header column '{unknown}' is not one of {string.Join(", ", Columns.Keys)}");
                        return;
                    }
                    columns = [.. fields.Select(f => Columns[f])];
                    if (new[] { "ip", "time" }.FirstOrDefault(c => !columns.Contains(c)) is { } missing)
                    {
                        Error(result, $"{at}: the header has no '{missing}' column");
                        return;
                    }
                    continue;
                }
                columns = DefaultColumns;
            }
            if (CsvRow(fields, columns, input, at) is { } error)
                Error(result, error);
            else
                result.Observations.Add(Row(fields, columns, input, at, result));
        }
    }

    /// <summary>What is wrong with a CSV row, naming its line and column, or null.</summary>
    private static string? CsvRow(string[] f, string[] columns, ParseInput input, string at)
    {
        int min = columns == DefaultColumns ? DefaultColumns.Length - 1 : columns.Length;
        if (f.Length > columns.Length || f.Length < min)
            return $"{at}: {f.Length} fields; expected {string.Join(",", columns)}";
        string Get(string c) => Array.IndexOf(columns, c) is int k and >= 0 && k < f.Length ? f[k] : "";
        if (Ipv4(Get("ip")) is null)
            return $"{at}: ip '{Get("ip")}' is not an IPv4 address";
        if (IsoTime(Get("time")) is null)
            return Get("time").Length > 0 && DateTimeOffset.TryParse(Get("time") + "Z", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? $"{at}: time '{Get("time")}' has no zone (add Z for UTC or +09:00 for JST)"
                : $"{at}: time '{Get("time")}' is not an ISO 8601 time with zone (2026-12-02T17:49:13.287+09:00)";
        string dst = Get("dst_ip").Length > 0 ? Get("dst_ip") : input.ServerIp ?? "";
        if (Ipv4(dst) is null)
            return $"{at}: dst_ip '{dst}' is not an IPv4 address";
        if (Port(Get("dst_port").Length > 0 ? Get("dst_port") : input.ServerPort?.ToString(CultureInfo.InvariantCulture) ?? "") is null)
            return $"{at}: dst_port '{Get("dst_port")}' is not a port (1-65535)";
        if (Get("src_port").Length > 0 && Port(Get("src_port")) is null)
            return $"{at}: src_port '{Get("src_port")}' is not a port (1-65535)";
        if (Get("proto").Length > 0 && Get("proto").ToLowerInvariant() is not ("tcp" or "udp"))
            return $"{at}: proto '{Get("proto")}' is not tcp or udp";
        return null;
    }

    private static Observation Row(string[] f, string[] columns, ParseInput input, string at, ParseResult result)
    {
        string Get(string c) => Array.IndexOf(columns, c) is int k and >= 0 && k < f.Length ? f[k] : "";
        return new Observation
        {
            Ip = Ipv4(Get("ip"), $"{at}: ip", result)!,
            Time = IsoTime(Get("time"))!.Value,
            TimeAccuracyMs = input.AccuracyMs,
            SrcPort = Port(Get("src_port")),
            // The server address given once is noted once, by Combined or here on the first row only.
            DstIp = Get("dst_ip").Length > 0 ? Ipv4(Get("dst_ip"), $"{at}: dst_ip", result)! : Ipv4(input.ServerIp ?? "", "server address", result)!,
            DstPort = Port(Get("dst_port").Length > 0 ? Get("dst_port") : input.ServerPort?.ToString(CultureInfo.InvariantCulture) ?? ""),
            Proto = Get("proto").Length > 0 ? Get("proto").ToLowerInvariant() : input.Proto,
        };
    }

    /// <summary>RFC 3339 / ISO 8601 with a zone (Z or ±hh:mm); a time without one is refused.</summary>
    public static DateTimeOffset? IsoTime(string s)
    {
        string[] forms = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK"];
        bool zoned = s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && s[^6] is '+' or '-' && s[^3] == ':');
        return zoned && DateTimeOffset.TryParseExact(s.ToUpperInvariant(), forms, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset t) ? t : null;
    }

    /// <summary>Fields of one CSV line (comma, or tab when the line has no comma); "..." quotes with "" inside. Null on an open quote.</summary>
    public static string[]? CsvFields(string line)
    {
        char sep = line.Contains(',') ? ',' : '\t';
        var fields = new List<string>();
        var cur = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                cur.Append(line[++i]);
            else if (c == '"')
                quoted = !quoted;
            else if (c == sep && !quoted)
            {
                fields.Add(cur.ToString().Trim());
                cur.Clear();
            }
            else
                cur.Append(c);
        }
        fields.Add(cur.ToString().Trim());
        return quoted ? null : [.. fields];
    }

    /// <summary>
    /// The address in canonical form, or null: four decimal numbers 0-255 of one to three ASCII digits.
    /// Zero padding is read explicitly as decimal. IPAddress.TryParse is not used: it reads "010" as octal,
    /// "0x0a" as hex and "10.1" as 10.0.0.1, each naming another household without a word.
    /// </summary>
    public static string? Ipv4(string s, out bool padded)
    {
        padded = false;
        string[] parts = s.Split('.');
        if (parts.Length != 4)
            return null;
        var octets = new int[4];
        for (int i = 0; i < 4; i++)
        {
            string p = parts[i];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (octets[i] = int.Parse(p, CultureInfo.InvariantCulture)) > 255)
                return null;
            padded |= p.Length > 1 && p[0] == '0';
        }
        return string.Join('.', octets);
    }

    private static string? Ipv4(string s) => Ipv4(s, out _);

    /// <summary>As above, with a note naming <paramref name="field"/> when padding was read as decimal; the
    /// server address, given once for all lines, is noted once.</summary>
    private static string? Ipv4(string s, string field, ParseResult result)
    {
        string? ip = Ipv4(s, out bool padded);
        string note = $"{field} '{s}' read as {ip}: zero-padded numbers are decimal, never octal";
        if (ip is not null && padded && !result.Notes.Contains(note))
            Capped(result.Notes, note, "more fields were zero-padded; the rest are not listed");
        return ip;
    }

    private static int? Port(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65535 ? p : null;

    private static void Error(ParseResult r, string message) =>
        Capped(r.Errors, message, $"more than {MaxErrors} lines could not be read; the rest are not listed");

    private static void Capped(List<string> list, string message, string more)
    {
        if (list.Count < MaxErrors)
            list.Add(message);
        else if (list.Count == MaxErrors)
            list.Add(more);
    }
}
