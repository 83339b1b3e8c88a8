using CeAgent.TestKit;
using CeIsp.Resolver;

namespace CeIsp.Tests.Resolver;

/// <summary>The request parser against bad and hostile input: every error is a FormatException naming the field.</summary>
public class RequestTests
{
    private const string Good = """
        { "requester": "abuse desk", "reference": "case-1",
          "observations": [ { "ip": "192.0.2.18", "time": "2026-12-02T10:00:00.250Z", "timeAccuracyMs": 1000, "srcPort": 4930,
                              "dstIp": "198.51.100.7", "dstPort": 443, "proto": "tcp" } ] }
        """;

    [Fact]
    public void A_good_request_parses() =>
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T10:00:00.250Z", System.Globalization.CultureInfo.InvariantCulture),
            Assert.Single(DisclosureRequest.Parse(Good).Observations).Time);

    [Theory]
    [InlineData("\"192.0.2.18\"", "\"192.0.2.018\"", "observations[0].ip: '192.0.2.018': '018' has a leading zero")]
    [InlineData("\"192.0.2.18\"", "\"192.0.2.010\"", "observations[0].ip: '192.0.2.010': '010' has a leading zero")]
    [InlineData("\"192.0.2.18\"", "\"192.0.2\"", "observations[0].ip: '192.0.2' is not an IPv4 address")]
    [InlineData("\"192.0.2.18\"", "\"192.0.2.256\"", "observations[0].ip: '192.0.2.256' is not an IPv4 address: 256")]
    [InlineData("\"192.0.2.18\"", "\"0x7f.0.0.1\"", "observations[0].ip: '0x7f.0.0.1'")]
    [InlineData("\"198.51.100.7\"", "\"198.051.100.7\"", "observations[0].dstIp: '198.051.100.7': '051' has a leading zero")]
    [InlineData("\"2026-12-02T10:00:00.250Z\"", "\"2026-12-02T10:00:00\"", "observations[0].time: '2026-12-02T10:00:00' is not an RFC 3339 time with a UTC offset")]
    [InlineData("\"2026-12-02T10:00:00.250Z\"", "\"2026-12-02\"", "observations[0].time:")]
    [InlineData("\"2026-12-02T10:00:00.250Z\"", "12", "observations[0].time: expected a string")]
    [InlineData("[ {", "[ null, {", "observations[0]: null")]
    [InlineData("\"abuse desk\"", "null", "requester")]
    [InlineData("\"abuse desk\"", "\"\"", "request.requester:")]
    [InlineData("\"observations\": [", "\"observations\": null, \"x\": [", "observations")]
    public void Bad_fields_are_named(string from, string to, string message)
    {
        var e = Assert.ThrowsAny<FormatException>(() => DisclosureRequest.Parse(Good.Replace(from, to, StringComparison.Ordinal)));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("\"192.0.2.18\"", "\"192.0.2.010\"", "ip: '192.0.2.010': '010' has a leading zero")]
    [InlineData("\"2026-12-02T10:00:00.250Z\"", "\"2026-12-02T10:00:00\"", "time: '2026-12-02T10:00:00' is not an RFC 3339 time with a UTC offset")]
    [InlineData("\"observations\": [", "\"observations\": null, \"x\": [", "observations")]
    public void Ce_isp_resolve_refuses_it_with_exit_1_and_no_stack_trace(string from, string to, string message)
    {
        string dir = Directory.CreateTempSubdirectory("ce-isp-request-").FullName;
        try
        {
            string config = Path.Combine(dir, "isp.json"), request = Path.Combine(dir, "request.json");
            File.WriteAllText(config, $$"""{ "store": { "target": "{{dir}}/s.db" }, "masterKey": "{{new string('7', 64)}}", "auditLog": "{{dir}}/audit.jsonl" }""");
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the master key
            File.WriteAllText(request, Good.Replace(from, to, StringComparison.Ordinal));
            ProcResult r = Programs.Run("ce-isp", "resolve", "--request", request, "--config", config);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(message, r.Stderr);
            Assert.DoesNotContain("   at ", r.Stderr);
            Assert.False(File.Exists(Path.Combine(dir, "audit.jsonl")), "a refused request is not answered");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_time_with_an_offset_is_the_same_instant_in_any_zone()
    {
        var r = DisclosureRequest.Parse(Good.Replace("2026-12-02T10:00:00.250Z", "2026-12-02T19:00:00.250+09:00", StringComparison.Ordinal));
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T10:00:00.250Z", System.Globalization.CultureInfo.InvariantCulture), r.Observations[0].Time);
    }

    [Fact]
    public void Every_field_made_null_wrong_typed_empty_or_missing_is_refused_by_name_or_accepted()
    {
        int refused = 0;
        foreach (var (json, field) in JsonMutator.Structural(Good))
        {
            try
            {
                DisclosureRequest.Parse(json);
            }
            catch (FormatException e)
            {
                Assert.True(e.Message.Contains(field, StringComparison.Ordinal), $"{json}\n-> {e.Message}\n(should name {field})");
                refused++;
            }
        }
        Assert.True(refused > 50, $"only {refused} mutations refused");
    }

    [Fact]
    public void Random_damage_never_escapes_as_anything_but_a_format_error()
    {
        foreach (string json in JsonMutator.Random(Good, 3000, seed: 19))
        {
            try
            {
                DisclosureRequest.Parse(json);
            }
            catch (FormatException e)
            {
                Assert.StartsWith("request", e.Message);
            }
        }
    }
}
