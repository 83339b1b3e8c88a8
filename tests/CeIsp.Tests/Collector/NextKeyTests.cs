using System.Security.Cryptography;
using CeIsp.Collector;
using CeIsp.Store;

namespace CeIsp.Tests.Collector;

/// <summary>A device key rotation at the ISP: a new key is accepted only once the operator enrolled it as the CE's next key.</summary>
public sealed class NextKeyTests : IDisposable
{
    private readonly Scenario _s = new();
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"nk-{Guid.NewGuid():N}.db");
    private readonly ECDsa _next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _s.Dispose();
        _next.Dispose();
        _stranger.Dispose();
        File.Delete(_db);
    }

    private (SummaryCollector Collector, SummaryStore Store) Start(bool withNext)
    {
        var (store, c) = _s.Collect(_db, [_s.Ces[0]], withNext ? new Dictionary<string, string> { ["ce-a"] = _next.ExportSubjectPublicKeyInfoPem() } : null,
            trustOnFirstUse: true);
        return (c, store);
    }

    private byte[] SignedWith(ECDsa key)
    {
        Scenario.Ce ce = _s.Ces[0] with { Key = key };
        Scenario.Flows(ce, [(0, Scenario.D1, 3000, 3005)]);
        return ce.Messages[^1];
    }

    [Fact]
    public void A_key_nobody_enrolled_is_rejected_and_counted_even_with_trust_on_first_use()
    {
        var (c, store) = Start(withNext: false);
        using (store)
        {
            IngestResult r = c.Ingest("ce/v1/ce-a/summary", SignedWith(_next));
            Assert.Equal(IngestOutcome.Rejected, r.Outcome);
            Assert.Equal(1, c.Rejections["bad-signature"]);
            Assert.Equal(_s.Ces[0].Key.ExportSubjectPublicKeyInfoPem(), store.FindDevice("ce-a")!.PublicKeyPem); // never replaced silently
        }
    }

    [Fact]
    public void The_enrolled_next_key_is_accepted_and_counted_a_stranger_still_is_not()
    {
        var (c, store) = Start(withNext: true);
        using (store)
        {
            Assert.Equal(IngestOutcome.Stored, c.Ingest("ce/v1/ce-a/summary", SignedWith(_next)).Outcome);
            Assert.Equal(1, c.SignedWithNextKey);
            Assert.Equal(IngestOutcome.Rejected, c.Ingest("ce/v1/ce-a/summary", SignedWith(_stranger)).Outcome);
            Assert.Equal(1, c.Rejections["bad-signature"]);
            // another CE cannot use ce-a's next key
            Scenario.Ce b = _s.Ces[1] with { Key = _next };
            Scenario.Flows(b, [(0, Scenario.D1, 3000, 3005)]);
            Assert.Equal(IngestOutcome.Rejected, c.Ingest("ce/v1/ce-b/summary", b.Messages[^1]).Outcome);
        }
    }
}
