using CeAgent.Bench.Evaluation;

namespace CeAgent.Bench.Agent;

/// <summary>One recording configuration at the CE: what it cost on the wire and how it answers requests.</summary>
/// <param name="Config">The parameters, as the report prints them.</param>
/// <param name="BytesPerHouseholdDay">Encoded, signed summary bytes of each household, scaled to 24 h.</param>
public sealed record AgentOutcome(string Config, IAttributionSource Source, double[] BytesPerHouseholdDay);
