using CeIsp.Desk;
using CeIsp.Resolver;

namespace CeIsp.Tests.Desk;

/// <summary>Provider logs zero-pad addresses (192.000.002.010): the importer reads them as decimal, says so per
/// field, and refuses every other form (octal, hex, shorthand) naming the field.</summary>
public class ZeroPaddedAddressTests
{
    [Theory]
    [InlineData("192.000.002.010", "192.0.2.10", true)]
    [InlineData("010.010.010.010", "10.10.10.10", true)] // octal would be 8.8.8.8
    [InlineData("192.0.2.08", "192.0.2.8", true)] // not an octal digit: still plain decimal
    [InlineData("192.0.2.009", "192.0.2.9", true)]
    [InlineData("000.000.000.000", "0.0.0.0", true)]
    [InlineData("255.255.255.255", "255.255.255.255", false)]
    [InlineData("192.0.2.10", "192.0.2.10", false)]
    [InlineData("0.0.0.0", "0.0.0.0", false)]
    public void Zero_padding_is_decimal(string text, string canonical, bool padded)
    {
        Assert.Equal(canonical, ObservationParser.Ipv4(text, out bool p));
        Assert.Equal(padded, p);
    }

    [Theory]
    [InlineData("0x0a.0.2.10")] // hex: IPAddress.TryParse takes it
    [InlineData("192.0.2")]
    [InlineData("3221225994")] // one number
    [InlineData("192.0.2.0010")] // more than three digits
    [InlineData("192.0.2.256")]
    [InlineData("192.0.2.")]
    [InlineData(".192.0.2.1")]
    [InlineData("192.0.2.1.")]
    [InlineData("192.0.2.+1")]
    [InlineData("192.0.2.1 ")]
    [InlineData("192.0.2.١")] // an Arabic-Indic digit
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("")]
    public void Anything_else_is_refused(string text) => Assert.Null(ObservationParser.Ipv4(text, out _));

    [Fact]
    public void Every_octet_value_in_every_padding_reads_as_its_decimal_value()
    {
        for (int v = 0; v <= 255; v++)
            foreach (string octet in new[] { v.ToString("D1"), v.ToString("D2"), v.ToString("D3") }.Distinct().Where(o => o.Length <= 3))
                for (int at = 0; at < 4; at++)
                {
                    string[] parts = ["1", "2", "3", "4"];
                    parts[at] = octet;
                    string[] want = ["1", "2", "3", "4"];
                    want[at] = v.ToString();
                    Assert.Equal(string.Join('.', want), ObservationParser.Ipv4(string.Join('.', parts), out bool padded));
                    Assert.Equal(octet.Length > 1 && octet[0] == '0', padded);
                }
    }

    [Fact]
    public void A_csv_import_notes_each_normalised_field_by_line()
    {
        ParseResult r = ObservationParser.Parse(new ParseInput
        {
            Format = "csv",
            Text = "192.000.002.010,2026-12-02T08:49:13Z,203.000.113.010,443\n192.0.2.10,2026-12-02T08:49:14Z,203.0.113.10,443\n010.0.0.1,2026-12-02T08:49:15Z,203.0.113.10,443",
        });
        Assert.Empty(r.Errors);
        Assert.Equal(["192.0.2.10", "192.0.2.10", "10.0.0.1"], r.Observations.Select(o => o.Ip));
        Assert.Equal("203.0.113.10", r.Observations[0].DstIp);
        Assert.Equal([
            "line 1: ip '192.000.002.010' read as 192.0.2.10: zero-padded numbers are decimal, never octal",
            "line 1: dst_ip '203.000.113.010' read as 203.0.113.10: zero-padded numbers are decimal, never octal",
            "line 3: ip '010.0.0.1' read as 10.0.0.1: zero-padded numbers are decimal, never octal",
        ], r.Notes);
    }

    [Fact]
    public void A_combined_log_notes_the_client_and_the_server_given_once()
    {
        const string line = "192.000.002.018 - - [02/Dec/2026:17:49:13 +0900] \"GET / HTTP/1.1\" 200 1";
        ParseResult r = ObservationParser.Parse(new ParseInput { Text = line + "\n" + line, ServerIp = "203.000.113.010", ServerPort = 443 });
        Assert.Equal("combined", r.Format);
        Assert.Empty(r.Errors);
        Assert.All(r.Observations, o => Assert.Equal(("192.0.2.18", "203.0.113.10"), (o.Ip, o.DstIp)));
        Assert.Equal([
            "server address '203.000.113.010' read as 203.0.113.10: zero-padded numbers are decimal, never octal",
            "line 1: client address '192.000.002.018' read as 192.0.2.18: zero-padded numbers are decimal, never octal",
            "line 2: client address '192.000.002.018' read as 192.0.2.18: zero-padded numbers are decimal, never octal",
        ], r.Notes);
    }

    [Fact]
    public void A_csv_with_the_server_given_once_notes_it_once()
    {
        ParseResult r = ObservationParser.Parse(new ParseInput
        {
            Format = "csv",
            Text = "ip,time\n192.0.2.18,2026-12-02T08:49:13Z\n192.0.2.19,2026-12-02T08:49:14Z",
            ServerIp = "203.0.113.010",
            ServerPort = 443,
        });
        Assert.Empty(r.Errors);
        Assert.All(r.Observations, o => Assert.Equal("203.0.113.10", o.DstIp));
        Assert.Equal(["server address '203.0.113.010' read as 203.0.113.10: zero-padded numbers are decimal, never octal"], r.Notes);
    }

    [Theory]
    [InlineData("0x0a.0.2.10,2026-12-02T08:49:13Z,203.0.113.10,443", "line 1: ip '0x0a.0.2.10' is not an IPv4 address")]
    [InlineData("192.0.2.10,2026-12-02T08:49:13Z,203.0.113.0010,443", "line 1: dst_ip '203.0.113.0010' is not an IPv4 address")]
    public void A_refused_address_names_its_field_and_line(string line, string error)
    {
        ParseResult r = ObservationParser.Parse(new ParseInput { Format = "csv", Text = line });
        Assert.Equal(error, Assert.Single(r.Errors));
        Assert.Empty(r.Observations);
        Assert.Empty(r.Notes);
    }

    [Fact]
    public void A_request_json_stays_strict_naming_the_field()
    {
        var e = Assert.ThrowsAny<FormatException>(() => ObservationParser.Parse(new ParseInput
        {
            Text = """{"requester":"x","observations":[{"ip":"192.0.2.010","time":"2026-12-02T08:49:13Z","dstIp":"203.0.113.10","dstPort":443}]}""",
        }));
        Assert.Contains("leading zero", e.Message);
        Assert.Contains("ip", e.Message);
    }

    [Fact]
    public void A_bulk_upload_carries_the_notes_into_its_verdict_row()
    {
        var items = BulkCsv.Read("reference,accuracy_ms,ip,time,dst_ip,dst_port\ncase-1,1000,192.000.002.010,2026-12-02T08:49:13Z,203.0.113.10,443\ncase-2,1000,192.0.2.10,2026-12-02T08:49:13Z,203.0.113.10,443");
        Assert.Equal("192.0.2.10", items[0].Observations[0].Ip);
        string note = Assert.Single(items[0].Notes!);
        Assert.Equal("line 2: ip '192.000.002.010' read as 192.0.2.10: zero-padded numbers are decimal, never octal", note);
        Assert.Empty(items[1].Notes!);
        Assert.EndsWith("(input read: " + note + ")\"", BulkCsv.Row("case-1", null, "no store", items[0].Notes)); // quoted: the note has a comma
        Assert.Equal("case-2,,error,,,,no store", BulkCsv.Row("case-2", null, "no store", items[1].Notes));
    }
}
