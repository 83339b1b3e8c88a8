using CeAgent.Bench.Evaluation;
using CeAgent.Bench.Queries;

namespace CeAgent.Bench.Baselines;

/// <summary>
/// The strongest possible answer: a central per-session NAT log with destination (RFC 8158 IPFIX NAT
/// events or RFC 7422-style syslog), exact to the millisecond. A household is a candidate when it had
/// a session to the provider's address (from that source port, when logged) alive while the access
/// could have happened.
/// </summary>
public sealed class SessionLogBaseline(SessionIndex index) : IAttributionSource
{
    /// <summary>RFC 8158: an IPFIX NAT event record with destination is about 38 bytes; a session logs
    /// two (create and delete).</summary>
    public const double IpfixBytesPerSession = 2 * 38;
    /// <summary>RFC 7422 section 1: about 150 bytes a syslog line, one line a session.</summary>
    public const double SyslogBytesPerSession = 150;

    public string Name => "per-session log";

    public HouseholdSet Candidates(Observation o) => index.Alive(o.Dest, o.SourcePort, o.FromMs, o.ToMs);
}
