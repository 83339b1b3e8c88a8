using CeIsp.Resolver;

namespace CeIsp.Desk;

/// <summary>One window a candidate's evidence rests on, and which of the request's observations it lists.</summary>
public sealed record EvidenceWindow(long Seq, long WindowStart, int WindowLength, bool PortUsed, bool ClockSynchronized, long ClockErrorMs, List<int> Observations);

public sealed record DeskCandidate(string CeId, string Line, int ObservationsMatched, double FalsePositiveProbability, List<EvidenceWindow> Windows, List<string> Notes);

/// <summary>A CE that held the address but whose records are incomplete then: it can be neither named nor excluded.</summary>
public sealed record UnknownHolder(string CeId, string Line, string Why);

/// <summary>
/// The desk's answer as the API and the page show it. Built from the resolver's <see cref="Verdict"/> in
/// <see cref="DeskVerdicts.From"/> only, so a change in the resolver's record touches one place.
/// </summary>
public sealed record DeskVerdict(string Id, string Verdict, string? Line, List<DeskCandidate> Candidates, List<UnknownHolder> Unknown,
    string Explanation, string ExplanationJa, string ResolverExplanation);

/// <summary>The request as archived: who asked, when, what, and what was answered.</summary>
public sealed record StoredRequest(string Id, string Owner, DateTimeOffset At, DisclosureRequest Request, DeskVerdict Verdict);

public sealed record StoredRequestSummary(string Id, string Owner, DateTimeOffset At, string? Reference, string Verdict, string? Line);

public sealed record DeviceView(string CeId, string Line, string PublicKeyPem);

/// <param name="CsrfToken">The session's anti-forgery token, for the X-CSRF-Token header of every POST (AntiForgery).</param>
public sealed record MeView(string Name, List<string> Roles, string CsrfToken);

/// <summary>GET /api/v1/csrf: the token the sign-in must carry.</summary>
public sealed record CsrfView(string Token);

public sealed record SignInInput(string User, string Password);

public sealed record ErrorBody(string Error);

public static class DeskVerdicts
{
    public static readonly string[] Kinds = ["unique", "ambiguous", "none", "unknown"];

    /// <summary>The one place that reads the resolver's verdict. observationsOf gives, per candidate CE and evidence window,, the
    /// observations each evidence window lists (see <see cref="EvidenceLinks"/>).</summary>
    public static DeskVerdict From(string id, Verdict v, Func<string, Evidence, List<int>> observationsOf)
    {
        string kind = v.Result.ToString()!.ToLowerInvariant();
        if (!Kinds.Contains(kind))
            throw new InvalidOperationException($"resolver verdict '{kind}' is not one of {string.Join(", ", Kinds)}");
        var candidates = v.Candidates.Select(c => new DeskCandidate(c.CeId, c.Line, c.ObservationsMatched, c.FalsePositiveProbability,
            [.. c.Evidence.DistinctBy(e => (e.Seq, e.WindowStart)).Select(e => new EvidenceWindow(e.Seq, e.WindowStart, e.WindowLength,
                c.Evidence.Any(x => x.Seq == e.Seq && x.WindowStart == e.WindowStart && x.PortUsed), e.ClockSynchronized, e.ClockErrorMs, observationsOf(c.CeId, e)))],
            c.Notes)).ToList();
        var unknown = v.NoEvidence.Select(n => new UnknownHolder(n.CeId, n.Line, n.Why)).ToList();
        var (en, ja) = VerdictText.Explain(kind, v.Line, candidates, unknown);
        return new DeskVerdict(id, kind, v.Line, candidates, unknown, en, ja, v.Explanation);
    }
}
