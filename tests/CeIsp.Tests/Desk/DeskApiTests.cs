using System.Net;
using System.Text.Json;
using CeIsp.Desk;

namespace CeIsp.Tests.Desk;

/// <summary>The JSON API and the bulk path of `ce-isp serve`, over HTTP on loopback against real stored data.</summary>
public sealed class DeskApiTests : IAsyncLifetime
{
    private readonly DeskWorld _w = new();

    public async Task InitializeAsync() => await _w.StartAsync();

    public async Task DisposeAsync() => await _w.DisposeAsync();

    private static async Task<JsonElement> Body(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task A_request_gets_its_verdict_and_reads_back_after_a_restart()
    {
        HttpClient tanaka = await _w.ClientAsync("tanaka");
        // Alone, each observation fits two lines; together only line-a, each in its own window.
        HttpResponseMessage r = await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (15, Scenario.D1, null), (205, Scenario.D2, null))));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        JsonElement v = await Body(r);
        Assert.Equal("unique", v.GetProperty("verdict").GetString());
        Assert.Equal("line-a", v.GetProperty("line").GetString());
        var windows = v.GetProperty("candidates")[0].GetProperty("windows").EnumerateArray()
            .Select(w => (Start: w.GetProperty("windowStart").GetInt64(), Obs: string.Join(",", w.GetProperty("observations").EnumerateArray().Select(x => x.GetInt32())))).ToList();
        Assert.Equal([(Scenario.T0, "0"), (Scenario.T0 + 180, "1")], windows);
        Assert.Contains("line-a", v.GetProperty("explanationJa").GetString());
        string id = v.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/requests/{id}", r.Headers.Location!.ToString());

        await _w.StartAsync(); // a restart: the archive is on disk, the cookie keys too
        HttpResponseMessage again = await tanaka.GetAsync($"api/v1/requests/{id}");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("unique", (await Body(again)).GetProperty("verdict").GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task Two_households_at_one_moment_are_ambiguous_and_the_source_port_separates_them()
    {
        HttpClient tanaka = await _w.ClientAsync("tanaka");
        JsonElement both = await Body(await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (15, Scenario.D1, null)))));
        Assert.Equal("ambiguous", both.GetProperty("verdict").GetString());
        Assert.Equal(["line-a", "line-b"], both.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("line").GetString()).Order());
        int port = Scenario.PortOf(_w.S.Ces[1], 0);
        JsonElement one = await Body(await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (15, Scenario.D1, port)))));
        Assert.Equal("line-b", one.GetProperty("line").GetString());
        Assert.True(one.GetProperty("candidates")[0].GetProperty("windows")[0].GetProperty("portUsed").GetBoolean());
    }

    [Fact]
    public async Task A_destination_nobody_contacted_is_none_and_a_gap_leaves_a_holder_unknown()
    {
        HttpClient tanaka = await _w.ClientAsync("tanaka");
        JsonElement none = await Body(await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (15, Scenario.D2, null)))));
        // ce-c's message around T0+400 never arrived: it can be neither named nor excluded.
        JsonElement gap = await Body(await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (400, Scenario.D3, null)))));
        Assert.Contains(gap.GetProperty("unknown").EnumerateArray(), u => u.GetProperty("line").GetString() == "line-c");
        Assert.Contains("line-c", gap.GetProperty("explanation").GetString());
        Assert.NotEqual("unique", gap.GetProperty("verdict").GetString());
        Assert.Equal("none", none.GetProperty("verdict").GetString());
        Assert.Equal(0, none.GetProperty("candidates").GetArrayLength());
    }

    [Fact]
    public async Task Bad_requests_are_refused_naming_the_field_and_audited()
    {
        HttpClient tanaka = await _w.ClientAsync("tanaka");
        HttpResponseMessage bad = await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (205, Scenario.D2, null)).Replace("192.0.2.18", "192.0.2.999")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("observations[0].ip", (await Body(bad)).GetProperty("error").GetString());
        HttpResponseMessage other = await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("sato", (205, Scenario.D2, null))));
        Assert.Contains("request.requester", (await Body(other)).GetProperty("error").GetString());
        HttpResponseMessage notJson = await tanaka.PostAsync("api/v1/requests", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        HttpResponseMessage garbage = await tanaka.PostAsync("api/v1/requests", DeskWorld.Json("{\"requester\":"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        // Expect: 100-continue, as a careful client sends a large body: the desk refuses on the declared length
        // before the body is sent. Without it the refusal races the upload, and the client may see its own
        // write fail (a broken pipe) before it reads the 413 (it did, once, on a loaded CI run).
        using var tooLarge = new HttpRequestMessage(HttpMethod.Post, "api/v1/requests") { Content = DeskWorld.Json(new string(' ', (int)DeskServer.MaxBodyBytes + 10)) };
        tooLarge.Headers.ExpectContinue = true;
        HttpResponseMessage huge = await tanaka.SendAsync(tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        string audit = File.ReadAllText(_w.Config.AuditLog);
        Assert.Equal(3, audit.Split('\n').Count(l => l.Contains("resolve-refused")));
    }

    [Fact]
    public async Task Roles_decide_who_reads_what()
    {
        HttpClient anonymous = await _w.ClientAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/requests")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await DeskWorld.SignInAsync(anonymous, "tanaka", "guess")).StatusCode);

        HttpClient tanaka = await _w.ClientAsync("tanaka"), sato = await _w.ClientAsync("sato");
        HttpClient kansa = await _w.ClientAsync("kansa"), kanri = await _w.ClientAsync("kanri");
        string id = (await Body(await tanaka.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("tanaka", (1250, Scenario.D4, null)))))).GetProperty("id").GetString()!;
        // Another requester sees neither the request nor its evidence (not even that it exists).
        Assert.Equal(HttpStatusCode.NotFound, (await sato.GetAsync($"api/v1/requests/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sato.GetAsync($"api/v1/requests/{id}/evidence")).StatusCode);
        Assert.Equal(0, (await Body(await sato.GetAsync("api/v1/requests"))).GetArrayLength());
        Assert.Equal(1, (await Body(await tanaka.GetAsync("api/v1/requests"))).GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await tanaka.GetAsync("api/v1/requests/../../etc/passwd")).StatusCode);
        // The auditor reads every request and the audit log, but submits nothing; the administrator lists devices.
        Assert.Equal(HttpStatusCode.OK, (await kansa.GetAsync($"api/v1/requests/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await kansa.PostAsync("api/v1/requests", DeskWorld.Json(DeskWorld.Request("kansa", (205, Scenario.D2, null))))).StatusCode);
        HttpResponseMessage log = await kansa.GetAsync("api/v1/audit");
        Assert.Equal(HttpStatusCode.OK, log.StatusCode);
        string text = await log.Content.ReadAsStringAsync();
        Assert.Contains(id, text);
        Assert.Contains("read-refused", text);
        Assert.Equal(HttpStatusCode.Forbidden, (await tanaka.GetAsync("api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tanaka.GetAsync("api/v1/devices")).StatusCode);
        JsonElement devices = await Body(await kanri.GetAsync("api/v1/devices"));
        Assert.Equal(["line-a", "line-b", "line-c"], devices.EnumerateArray().Select(d => d.GetProperty("line").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await kanri.GetAsync($"api/v1/requests/{id}")).StatusCode);
    }

    [Fact]
    public async Task Bulk_csv_in_gives_one_verdict_row_per_reference()
    {
        HttpClient tanaka = await _w.ClientAsync("tanaka");
        string t(long s) => DateTimeOffset.FromUnixTimeSeconds(Scenario.T0 + s).ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-ddTHH:mm:sszzz");
        string csv = $"""
            reference,ip,time,accuracy_ms,dst_ip,dst_port
            A-1,192.0.2.18,{t(1250)},1000,203.0.113.40,443
            B-2,192.0.2.18,{t(15)},1000,203.0.113.10,443
            B-2,192.0.2.18,{t(205)},1000,203.0.113.20,443
            =C-3,192.0.2.18,yesterday,1000,203.0.113.10,443
            """;
        HttpResponseMessage r = await tanaka.PostAsync("api/v1/requests/bulk", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        string[] rows = (await r.Content.ReadAsStringAsync()).TrimEnd().Split('\n');
        Assert.Equal(BulkCsv.OutputHeader, rows[0]);
        Assert.StartsWith("A-1,r-", rows[1]);
        Assert.Contains(",unique,line-a,line-a,", rows[1]);
        // Two observations of B-2: only ce-a had both destinations at those times.
        Assert.Contains(",unique,line-a,", rows[2]);
        // A formula-looking reference is defused; the bad time names its line of the upload.
        Assert.StartsWith("'=C-3,,error,", rows[3]);
        Assert.Contains("line 5: time 'yesterday'", rows[3]);
        Assert.Equal(2, (await Body(await tanaka.GetAsync("api/v1/requests"))).GetArrayLength());
        HttpResponseMessage noHeader = await tanaka.PostAsync("api/v1/requests/bulk", new StringContent("x,y\n", System.Text.Encoding.UTF8, "text/csv"));
        Assert.Contains("'reference'", (await Body(noHeader)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Pasted_log_lines_parse_into_observations()
    {
        HttpClient tanaka = await _w.ClientAsync("tanaka");
        string input = """{"format":"auto","text":"192.0.2.18 - - [02/Dec/2026:17:49:13 +0900] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\nbroken","serverIp":"203.0.113.10","serverPort":443,"accuracyMs":500}""";
        JsonElement p = await Body(await tanaka.PostAsync("api/v1/parse", DeskWorld.Json(input)));
        Assert.Equal("combined", p.GetProperty("format").GetString());
        Assert.Equal(1, p.GetProperty("observations").GetArrayLength());
        Assert.Equal("line 2: not a combined/common log line (host ident user [time] \"request\" ...)", p.GetProperty("errors")[0].GetString());
    }
}
