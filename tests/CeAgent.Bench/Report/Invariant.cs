using System.Globalization;

namespace CeAgent.Bench.Report;

/// <summary>Report text is the same whatever the machine's culture (decimal points, group separators).</summary>
internal static class Invariant
{
    public static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
