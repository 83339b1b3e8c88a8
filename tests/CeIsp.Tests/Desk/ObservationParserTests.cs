using CeIsp.Desk;
using CeIsp.Resolver;

namespace CeIsp.Tests.Desk;

public class ObservationParserTests
{
    private static ParseResult Parse(string text, string format = "auto", string? server = "203.0.113.10", int? port = 443, long accuracy = 1000) =>
        ObservationParser.Parse(new ParseInput { Format = format, Text = text, ServerIp = server, ServerPort = port, AccuracyMs = accuracy });

    private const string Combined = "192.0.2.18 - frank [02/Dec/2026:17:49:13 +0900] \"GET /a?b=\\\"c\\\" HTTP/1.1\" 200 2326 \"http://x/\" \"Mozilla/5.0\"";

    [Fact]
    public void Combined_lines_take_the_server_address_given_once_and_keep_the_zone()
    {
        ParseResult r = Parse(Combined + "\n\n192.0.2.19 - - [02/Dec/2026:08:49:14.250 -0100] \"GET / HTTP/1.0\" 304 -\n");
        Assert.Equal("combined", r.Format);
        Assert.Empty(r.Errors);
        Assert.Equal(2, r.Observations.Count);
        Observation o = r.Observations[0];
        Assert.Equal(("192.0.2.18", "203.0.113.10", 443, "tcp", 1000L, (int?)null), (o.Ip, o.DstIp, o.DstPort, o.Proto, o.TimeAccuracyMs, o.SrcPort));
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T08:49:13Z"), o.Time);
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T09:49:14.25Z"), r.Observations[1].Time);
    }

    [Theory]
    [InlineData("garbage", "line 1: not a combined/common log line")]
    [InlineData("2001:db8::1 - - [02/Dec/2026:17:49:13 +0900] \"GET / HTTP/1.1\" 200 1", "line 1: client address '2001:db8::1' is not an IPv4 address")]
    [InlineData("192.0.2.18 - - [02/Dec/2026:17:49:13] \"GET / HTTP/1.1\" 200 1", "line 1: time '02/Dec/2026:17:49:13' is not")]
    [InlineData("192.0.2.18 - - [02/Dec/2026:17:49:13 +2500] \"GET / HTTP/1.1\" 200 1", "line 1: time")]
    [InlineData("192.0.2.18 - - [31/Feb/2026:17:49:13 +0900] \"GET / HTTP/1.1\" 200 1", "line 1: time")]
    [InlineData("192.0.2.18 - - [02/Dec/2026:17:49:13 +0900] \"GET / HTTP/1.1 200 1", "line 1: not a combined")]
    public void A_bad_combined_line_is_named(string line, string error)
    {
        ParseResult r = Parse(Combined + "\n" + line, "combined");
        Assert.Single(r.Observations);
        Assert.StartsWith(error.Replace("line 1", "line 2"), Assert.Single(r.Errors));
    }

    [Theory]
    [InlineData(null, 443)]
    [InlineData("203.0.113.10", null)]
    [InlineData("2001:db8::1", 443)]
    [InlineData("203.0.113.10", 70000)]
    public void Combined_lines_need_the_server_address(string? server, int? port)
    {
        ParseResult r = Parse(Combined, "combined", server, port);
        Assert.Empty(r.Observations);
        Assert.StartsWith("server address:", Assert.Single(r.Errors));
    }

    [Fact]
    public void Csv_without_a_header_is_ip_time_destination_port_and_an_optional_source_port()
    {
        ParseResult r = Parse("192.0.2.18,2026-12-02T17:49:13.287+09:00,203.0.113.10,80\n192.0.2.18\t2026-12-02T08:49:14Z\t203.0.113.10\t80\t4930", server: null, port: null);
        Assert.Equal("csv", r.Format);
        Assert.Empty(r.Errors);
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T08:49:13.287Z"), r.Observations[0].Time);
        Assert.Equal((80, (int?)null), (r.Observations[0].DstPort!.Value, r.Observations[0].SrcPort));
        Assert.Equal(4930, r.Observations[1].SrcPort);
    }

    [Fact]
    public void Csv_with_a_header_reads_columns_by_name_in_any_order_and_defaults_the_server()
    {
        ParseResult r = Parse("# exported 2026-12-03\nTimestamp,Client_IP,Protocol,source_port\n\"2026-12-02 17:49:13+09:00\",192.0.2.18,UDP,\n2026-12-02T08:49:13z,192.0.2.18,tcp,5000");
        Assert.Empty(r.Errors);
        Assert.Equal(("udp", "203.0.113.10", 443, (int?)null), (r.Observations[0].Proto, r.Observations[0].DstIp, r.Observations[0].DstPort!.Value, r.Observations[0].SrcPort));
        Assert.Equal(5000, r.Observations[1].SrcPort);
    }

    [Theory]
    [InlineData("192.0.2.18,2026-12-02T17:49:13,203.0.113.10,80", "line 1: time '2026-12-02T17:49:13' has no zone (add Z for UTC or +09:00 for JST)")]
    [InlineData("192.0.2.18,yesterday,203.0.113.10,80", "line 1: time 'yesterday' is not an ISO 8601 time with zone")]
    [InlineData("192.0.2.256,2026-12-02T17:49:13Z,203.0.113.10,80", "line 1: ip '192.0.2.256' is not an IPv4 address")]
    [InlineData("192.0.2.18,2026-12-02T17:49:13Z,example.com,80", "line 1: dst_ip 'example.com' is not an IPv4 address")]
    [InlineData("192.0.2.18,2026-12-02T17:49:13Z,203.0.113.10,0", "line 1: dst_port '0' is not a port")]
    [InlineData("192.0.2.18,2026-12-02T17:49:13Z,203.0.113.10,80,-1", "line 1: src_port '-1' is not a port")]
    [InlineData("192.0.2.18,2026-12-02T17:49:13Z,203.0.113.10", "line 1: 3 fields; expected ip,time,dst_ip,dst_port,src_port")]
    [InlineData("192.0.2.18,2026-12-02T17:49:13Z,203.0.113.10,80,1,2", "line 1: 6 fields")]
    [InlineData("\"192.0.2.18,2026-12-02T17:49:13Z,203.0.113.10,80", "line 1: an unterminated quote")]
    [InlineData("1.2.3,2026-12-02T17:49:13Z,203.0.113.10,80", "line 1: ip '1.2.3' is not an IPv4 address")]
    public void A_bad_csv_line_is_named_and_the_others_are_kept(string line, string error)
    {
        ParseResult r = Parse(line + "\n192.0.2.18,2026-12-02T17:49:13Z,203.0.113.10,80", "csv", null, null);
        Assert.StartsWith(error, Assert.Single(r.Errors));
        Assert.Single(r.Observations);
    }

    [Theory]
    [InlineData("time,ip,colour\n", "line 1: header column 'colour' is not one of")]
    [InlineData("time,dst_ip\n2026-12-02T17:49:13Z,1.2.3.4", "line 1: the header has no 'ip' column")]
    [InlineData("ip,time,proto\n192.0.2.18,2026-12-02T17:49:13Z,sctp", "line 2: proto 'sctp' is not tcp or udp")]
    public void A_bad_header_or_protocol_is_named(string text, string error) =>
        Assert.StartsWith(error, Parse(text, "csv").Errors[0]);

    [Fact]
    public void Request_json_is_the_cli_format_with_its_own_accuracy()
    {
        ParseResult r = Parse("""{"requester":"x","observations":[{"ip":"192.0.2.18","time":"2026-12-02T08:49:13Z","timeAccuracyMs":30000,"dstIp":"203.0.113.10","dstPort":80}]}""");
        Assert.Equal("json", r.Format);
        Assert.Equal(30000, r.Observations[0].TimeAccuracyMs);
        Assert.ThrowsAny<FormatException>(() => Parse("""{"requester":"x","observations":[{"ip":"300.0.2.18","time":"2026-12-02T08:49:13Z","dstIp":"203.0.113.10"}]}"""));
    }

    [Fact]
    public void Options_and_sizes_are_checked()
    {
        Assert.Equal("format: 'xml' is not auto, combined, csv or json", Assert.Throws<FormatException>(() => Parse("", "xml")).Message);
        Assert.StartsWith("accuracyMs:", Assert.Throws<FormatException>(() => Parse("x", accuracy: -1)).Message);
        Assert.StartsWith("proto:", Assert.Throws<FormatException>(() => ObservationParser.Parse(new ParseInput { Text = "x", Proto = "icmp" })).Message);
        Assert.StartsWith("text:", Assert.Throws<FormatException>(() => Parse(new string('\n', ObservationParser.MaxLines + 1))).Message);
        Assert.Equal(["no lines to read"], Parse("\n \n").Errors);
        ParseResult flood = Parse(string.Join("\n", Enumerable.Repeat("junk", 500)), "csv");
        Assert.Equal(ObservationParser.MaxErrors + 1, flood.Errors.Count);
        Assert.StartsWith("more than", flood.Errors[^1]);
    }

    [Theory]
    [InlineData("a,b", new[] { "a", "b" })]
    [InlineData("\"a,b\",c", new[] { "a,b", "c" })]
    [InlineData("\"say \"\"hi\"\"\", x ", new[] { "say \"hi\"", "x" })]
    [InlineData("a\tb", new[] { "a", "b" })]
    [InlineData("", new[] { "" })]
    public void Csv_fields_follow_rfc_4180_quoting(string line, string[] fields) => Assert.Equal(fields, ObservationParser.CsvFields(line));
}
