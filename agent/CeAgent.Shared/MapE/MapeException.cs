namespace CeAgent.Shared.MapE;

/// <summary>
/// A MAP-E parameter that cannot be used. <see cref="Field"/> names the option or config field (rule6,
/// rule4, ea-len, psid-offset, psid-len, prefix, ip, port) so an operator knows which value to fix.
/// </summary>
public sealed class MapeException(string field, string problem) : FormatException($"{field}: {problem}")
{
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}
