using System.Security.Cryptography;
using System.Text;
using CeAgent.Shared.Summary;
using CeAgent.TestKit;
using CeIsp.Collector;
using CeIsp.Store;
using Microsoft.Data.Sqlite;

namespace CeIsp.Tests.Collector;

/// <summary>
/// The collector's message path against a real store: whatever arrives on either topic is stored or
/// rejected and counted, nothing throws but the store, and a different message under a stored sequence is
/// kept as a fork.
/// </summary>
public sealed class CollectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ce-collector-").FullName;
    private readonly Scenario.Ce _ce = Scenario.NewCe("ce-f", 5);

    public CollectorTests() =>
        Scenario.Flows(_ce, [.. Enumerable.Range(0, 4).Select(i => (i, Scenario.D1, i * 60 + 5, i * 60 + 9))]);

    public void Dispose()
    {
        _ce.Key.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private SummaryStore Sqlite() => SummaryStore.Sqlite(Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".db"));

    private void Enroll(SummaryStore store) => store.Enroll(new Device(_ce.Id, "line-f", _ce.Key.ExportSubjectPublicKeyInfoPem()));

    private static long Outcomes(SummaryCollector c) => c.Stored + c.Duplicates + c.Forks + c.Enrolled + c.Ignored + c.RejectedTotal;

    public static TheoryData<string> HostileStates => new()
    {
        "[]", "1", "\"x\"", "null", "true", "{", "{1:2}", "{\"publicKey\":5}", "{\"publicKey\":null}", "{\"publicKey\":[]}",
        "{\"publicKey\":\"garbage\"}", "{\"publicKey\":\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"}",
        new string('[', 5000) + new string(']', 5000), "{\"publicKey\":\"" + new string('A', 20_000) + "\"}", "\u0000\u00ff",
    };

    [Theory]
    [MemberData(nameof(HostileStates))]
    public void A_hostile_state_message_is_rejected_and_counted_never_thrown(string payload)
    {
        using SummaryStore store = Sqlite();
        foreach (bool tofu in new[] { false, true })
        {
            var c = new SummaryCollector(store, tofu);
            IngestResult r = c.Ingest("ce/v1/ce-x/state", Encoding.UTF8.GetBytes(payload));
            // A retained message comes again on every start: the same answer, again without a throw.
            IngestResult again = c.Ingest("ce/v1/ce-x/state", Encoding.UTF8.GetBytes(payload));
            Assert.Equal(r, again);
            Assert.Contains(r.Outcome, new[] { IngestOutcome.Rejected, IngestOutcome.Ignored });
            Assert.Equal(2, c.Received);
            Assert.Equal(2, Outcomes(c));
            Assert.Null(store.FindDevice("ce-x"));
        }
    }

    [Fact]
    public void Trust_on_first_use_stores_the_key_re_exported_not_the_text_as_sent()
    {
        using SummaryStore store = Sqlite();
        string pem = "junk before\n" + _ce.Key.ExportSubjectPublicKeyInfoPem() + "\njunk after";
        var c = new SummaryCollector(store, true);
        Assert.Equal(IngestOutcome.Enrolled, c.Ingest("ce/v1/ce-f/state", Encoding.UTF8.GetBytes($$"""{"online":true,"publicKey":{{System.Text.Json.JsonSerializer.Serialize(pem)}}}""")).Outcome);
        Assert.Equal(_ce.Key.ExportSubjectPublicKeyInfoPem(), store.FindDevice("ce-f")!.PublicKeyPem);
        Assert.Equal(IngestOutcome.Stored, c.Ingest("ce/v1/ce-f/summary", _ce.Messages[0]).Outcome);
    }

    [Fact]
    public void Keys_other_than_p256_public_keys_are_refused_with_the_reason()
    {
        using ECDsa p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Contains("not P-256", PublicKeys.Problem(p384.ExportSubjectPublicKeyInfoPem()));
        Assert.Contains("not a PEM public key", PublicKeys.Problem(_ce.Key.ExportECPrivateKeyPem()));
        Assert.Equal("is empty", PublicKeys.Problem(" "));
        Assert.Null(PublicKeys.Problem(_ce.Key.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void A_device_enrolled_with_a_broken_key_gets_its_messages_rejected_not_the_collector_killed()
    {
        using SummaryStore store = Sqlite();
        store.Enroll(new Device(_ce.Id, "line-f", "-----BEGIN PUBLIC KEY-----\nZ2FyYmFnZQ==\n-----END PUBLIC KEY-----"));
        var c = new SummaryCollector(store, false);
        IngestResult r = c.Ingest("ce/v1/ce-f/summary", _ce.Messages[0]);
        Assert.Equal(IngestOutcome.Rejected, r.Outcome);
        Assert.StartsWith("bad-enrolment:", r.Reason);
    }

    [Fact]
    public void A_sequence_beyond_the_signed_64_bit_range_is_refused_not_stored_negative()
    {
        using SummaryStore store = Sqlite();
        Enroll(store);
        // Validly signed by an enrolled key, but with a sequence the format forbids (our signer refuses to
        // make one, so it is encoded and signed by hand, as a hostile or broken device would).
        SummaryMessage first = SummaryCodec.Decode(CoseSign1.Parse(_ce.Messages[0]).Payload);
        byte[] huge = CoseSign1.Sign(SummaryCodec.Encode(first with { Seq = (ulong)long.MaxValue + 1 }), _ce.Id, _ce.Key);
        var c = new SummaryCollector(store, false);
        IngestResult r = c.Ingest("ce/v1/ce-f/summary", huge);
        Assert.Equal(IngestOutcome.Rejected, r.Outcome);
        Assert.Contains("sequence", r.Reason);
        Assert.Equal(0, store.Count("messages"));
    }

    [Fact]
    public void A_different_message_under_a_stored_sequence_is_a_fork_on_sqlite()
    {
        using SummaryStore store = Sqlite();
        ForkIsRecorded(store);
    }

    [RootFact("runuser")]
    public void A_different_message_under_a_stored_sequence_is_a_fork_on_postgres()
    {
        Assert.True(Postgres.Missing is null, Postgres.Missing);
        using var pg = new Postgres();
        using SummaryStore store = SummaryStore.Postgres(pg.NewDatabase());
        ForkIsRecorded(store);
    }

    private void ForkIsRecorded(SummaryStore store)
    {
        Enroll(store);
        var c = new SummaryCollector(store, false);
        Assert.Equal(IngestOutcome.Stored, c.Ingest("ce/v1/ce-f/summary", _ce.Messages[0]).Outcome);
        // The same CE signs another sequence 1 (a chain restarted from scratch, or a cloned key).
        Scenario.Ce fresh = Scenario.NewCe("ce-f", 5);
        fresh.Key.Dispose();
        Scenario.Ce restarted = fresh with { Key = _ce.Key };
        Scenario.Flows(restarted, [(3, Scenario.D2, 7, 8)]);
        byte[] other = restarted.Messages[0];
        Assert.Equal(IngestOutcome.Fork, c.Ingest("ce/v1/ce-f/summary", other).Outcome);
        Assert.Equal(IngestOutcome.Duplicate, c.Ingest("ce/v1/ce-f/summary", other).Outcome);
        Assert.Equal(IngestOutcome.Duplicate, c.Ingest("ce/v1/ce-f/summary", _ce.Messages[0]).Outcome);
        Assert.Equal(_ce.Messages[0], store.Message("ce-f", 1));
        Assert.Equal([other], store.Forks("ce-f", 1));
        ChainEvent fork = Assert.Single(store.ChainEvents("ce-f"), e => e.Kind == ChainEventKind.Fork);
        Assert.Equal(1, fork.Seq);
        Assert.Equal((1, 2, 1), (c.Stored, c.Duplicates, c.Forks));
    }

    [Fact]
    public void A_store_failure_is_thrown_uncounted_so_that_the_message_is_not_acknowledged()
    {
        string path = Path.Combine(_dir, "failing.db");
        using SummaryStore store = SummaryStore.Sqlite(path);
        Enroll(store);
        using (var db = new SqliteConnection($"Data Source={path}"))
        {
            db.Open();
            using SqliteCommand t = db.CreateCommand();
            t.CommandText = "CREATE TRIGGER disk_full BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'disk full'); END";
            t.ExecuteNonQuery();
        }
        var c = new SummaryCollector(store, false);
        Assert.Throws<SqliteException>(() => c.Ingest("ce/v1/ce-f/summary", _ce.Messages[0]));
        Assert.Equal(0, c.Received);
    }

    /// <summary>Random bytes, and valid messages with bytes flipped, cut or appended, on both topics and
    /// some bad topics, against a real store: never a throw, every message counted exactly once, and only
    /// intact messages stored.</summary>
    [Fact]
    public void Fuzz_random_and_mutated_messages_never_throw_and_are_all_counted()
    {
        using SummaryStore store = Sqlite();
        Enroll(store);
        var c = new SummaryCollector(store, true);
        var rng = new Random(20261203);
        string[] topics = ["ce/v1/ce-f/summary", "ce/v1/ce-f/state", "ce/v1/ce-g/summary", "ce/v1/ce-g/state", "ce/v1//summary", "x", "ce/v1/ce-f/other"];
        byte[] state = Encoding.UTF8.GetBytes($$"""{"online":true,"publicKey":{{System.Text.Json.JsonSerializer.Serialize(_ce.Key.ExportSubjectPublicKeyInfoPem())}}}""");
        const int n = 3000;
        for (int i = 0; i < n; i++)
        {
            string topic = topics[rng.Next(topics.Length)];
            byte[] seed = topic.EndsWith("state", StringComparison.Ordinal) ? state : _ce.Messages[rng.Next(_ce.Messages.Count)];
            byte[] payload = Mutate(rng, seed);
            long before = c.Received;
            IngestResult r = c.Ingest(topic, payload);
            Assert.Equal(before + 1, c.Received);
            if (r.Outcome == IngestOutcome.Stored)
                Assert.Contains(_ce.Messages, m => m.AsSpan().SequenceEqual(payload));
            if (r.Outcome == IngestOutcome.Rejected)
                Assert.Matches("^[a-z-]+: ", r.Reason!);
            Assert.False(r.Reason?.StartsWith("internal", StringComparison.Ordinal) == true, r.Reason);
        }
        Assert.Equal(n, Outcomes(c));
        Assert.True(c.RejectedTotal > n / 2, c.Describe());
        Assert.DoesNotContain("internal", c.Rejections.Keys);
        Assert.True(store.Count("messages") <= _ce.Messages.Count);
    }

    private static byte[] Mutate(Random rng, byte[] seed)
    {
        byte[] b = (byte[])seed.Clone();
        switch (rng.Next(6))
        {
            case 0:
                return [.. Enumerable.Range(0, rng.Next(0, 600)).Select(_ => (byte)rng.Next(256))];
            case 1:
                for (int k = rng.Next(1, 4); k > 0; k--)
                    b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 2:
                return b[..rng.Next(b.Length)];
            case 3:
                return [.. b, .. Enumerable.Range(0, rng.Next(1, 40)).Select(_ => (byte)rng.Next(256))];
            case 4:
                b[rng.Next(b.Length)] = (byte)rng.Next(256);
                return b;
            default:
                return b; // intact: stored the first time, a duplicate after
        }
    }
}
