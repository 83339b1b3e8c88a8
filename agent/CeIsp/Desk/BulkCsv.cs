using System.Globalization;
using System.Text;
using System.Text.Json;
using CeIsp.Resolver;

namespace CeIsp.Desk;

/// <summary>
/// The bulk path: a CSV of many requests in (a header with a <c>reference</c> column and the columns
/// <see cref="ObservationParser"/> reads, plus optional <c>accuracy_ms</c>; rows with the same reference
/// are one request's observations), a CSV of verdicts out, one row per reference, in order of appearance.
/// Pure: the resolving is a function passed in. A reference whose rows cannot be read gets an error row
/// naming the line, and the others are still answered.
/// </summary>
public static class BulkCsv
{
    public const int MaxRequests = 200;
    public const string OutputHeader = "reference,id,verdict,line,candidates,unknown,explanation";

    /// <param name="Notes">What the importer read other than as written (a zero-padded address read as
    /// decimal), naming the line: carried into the verdict row's explanation.</param>
    public sealed record Item(string Reference, List<Observation> Observations, string? Error, IReadOnlyList<string>? Notes = null);

    public static List<Item> Read(string csv, string proto = "tcp")
    {
        string[] lines = csv.Replace("\r", "").Split('\n');
        if (lines.Length > ObservationParser.MaxLines)
            throw new FormatException($"csv: {lines.Length} lines; at most {ObservationParser.MaxLines} at once");
        int headerAt = Array.FindIndex(lines, l => l.Trim().Length > 0);
        string[] header = headerAt < 0 ? [] : ObservationParser.CsvFields(lines[headerAt].Trim()) ?? [];
        int refCol = Array.FindIndex(header, h => h.Equals("reference", StringComparison.OrdinalIgnoreCase));
        int accCol = Array.FindIndex(header, h => h.Equals("accuracy_ms", StringComparison.OrdinalIgnoreCase));
        if (refCol < 0 || accCol < 0)
            throw new FormatException("csv: line 1 must be a header with 'reference' and 'accuracy_ms' columns and ip, time, dst_ip, dst_port[, src_port, proto]");
        var groups = new Dictionary<string, List<(int Line, string[] Fields)>>();
        var order = new List<string>();
        for (int i = headerAt + 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
                continue;
            string[] f = ObservationParser.CsvFields(lines[i].Trim()) ?? [];
            string reference = refCol < f.Length ? f[refCol] : "";
            if (!groups.TryGetValue(reference, out var rows))
            {
                if (order.Count == MaxRequests)
                    throw new FormatException($"csv: more than {MaxRequests} references at once");
                order.Add(reference);
                groups[reference] = rows = [];
            }
            rows.Add((i, f));
        }
        string innerHeader = string.Join(",", header.Where((_, k) => k != refCol && k != accCol));
        return [.. order.Select(reference => Group(reference, groups[reference], lines.Length, headerAt, innerHeader, refCol, accCol, proto))];
    }

    private static Item Group(string reference, List<(int Line, string[] Fields)> rows, int lineCount, int headerAt, string innerHeader, int refCol, int accCol, string proto)
    {
        if (reference.Length == 0)
            return new(reference, [], $"line {rows[0].Line + 1}: reference is empty");
        var accuracies = rows.Select(r => accCol < r.Fields.Length && long.TryParse(r.Fields[accCol], NumberStyles.None, CultureInfo.InvariantCulture, out long a) ? a : -1).ToList();
        int bad = accuracies.FindIndex(a => a is < 0 or > 86_400_000);
        if (bad >= 0)
            return new(reference, [], $"line {rows[bad].Line + 1}: accuracy_ms '{(accCol < rows[bad].Fields.Length ? rows[bad].Fields[accCol] : "")}' is not 0..86400000");
        // The group's rows at their own line numbers (the others blank), so errors name the line of the upload.
        var text = new string[lineCount];
        Array.Fill(text, "");
        text[headerAt] = innerHeader;
        foreach (var (line, f) in rows)
            text[line] = string.Join(",", f.Where((_, k) => k != refCol && k != accCol).Select(Escape));
        ParseResult parsed = ObservationParser.Parse(new ParseInput { Format = "csv", Text = string.Join("\n", text), Proto = proto });
        if (parsed.Errors.Count > 0)
            return new(reference, [], string.Join("; ", parsed.Errors));
        for (int k = 0; k < parsed.Observations.Count; k++)
            parsed.Observations[k].TimeAccuracyMs = accuracies[k];
        return new(reference, parsed.Observations, null, parsed.Notes);
    }

    /// <summary>The request JSON `ce-isp resolve` takes, for one item.</summary>
    public static string RequestJson(string requester, Item item) => JsonSerializer.Serialize(
        new DisclosureRequest { Requester = requester, Reference = item.Reference, Observations = item.Observations }, ResolverJson.Default.DisclosureRequest);

    public static string Row(string reference, DeskVerdict? v, string? error, IReadOnlyList<string>? notes = null) => string.Join(",", new[]
    {
        reference, v?.Id ?? "", v?.Verdict ?? "error", v?.Line ?? "",
        string.Join(" ", v?.Candidates.Select(c => c.Line) ?? []), string.Join(" ", v?.Unknown.Select(u => u.Line) ?? []),
        (error ?? v!.Explanation) + (notes is { Count: > 0 } ? $" (input read: {string.Join("; ", notes)})" : ""),
    }.Select(Quote));

    /// <summary>CSV quoting, and a leading ' before = + - @ so a spreadsheet never runs a field as a formula.</summary>
    public static string Quote(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@')
            s = "'" + s;
        return Escape(s);
    }

    private static string Escape(string s)
    {
        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }

    public static string Write(IEnumerable<string> rows) => new StringBuilder().AppendLine(OutputHeader).AppendJoin('\n', rows).Append('\n').ToString();
}
