using System.Globalization;

namespace CeIsp.Desk;

/// <summary>
/// The verdict in plain sentences for the desk, in English and Japanese: what was found, how sure, and
/// what weakens it. Pure; every verdict kind and every weakening (unknown holders, unsynchronised clocks,
/// partial evidence) has its own sentence so the officer never has to read the JSON to see it.
/// </summary>
public static class VerdictText
{
    public static (string En, string Ja) Explain(string verdict, string? line, IReadOnlyList<DeskCandidate> candidates, IReadOnlyList<UnknownHolder> unknown)
    {
        var en = new List<string>();
        var ja = new List<string>();
        switch (verdict)
        {
            case "unique":
                DeskCandidate c = candidates[0];
                en.Add($"One subscriber line fits every observation: {line}. The chance that its match is a filter false positive is {Odds(c.FalsePositiveProbability)}.");
                ja.Add($"すべての観測に合致する回線は1つです: {line}。フィルタの偽陽性による一致である確率は {Odds(c.FalsePositiveProbability)} です。");
                break;
            case "ambiguous":
                en.Add($"{candidates.Count} subscriber lines fit: {string.Join(", ", candidates.Select(x => x.Line))}. The records cannot tell them apart; more observations (other times of the same sender) may.");
                ja.Add($"{candidates.Count} 回線が合致します: {string.Join("、", candidates.Select(x => x.Line))}。記録からは区別できません。同じ発信者の別の時刻の観測を追加すると絞り込める可能性があります。");
                break;
            case "none":
                en.Add("No subscriber line that held this address left a record of this access. The records rule every holder out.");
                ja.Add("このアドレスを使用していたいずれの回線にも、このアクセスの記録はありません。すべての回線が除外されます。");
                break;
            default:
                en.Add("The records cannot answer: a router that held this address has incomplete records for that time"
                    + (unknown.Count > 0 ? $" ({string.Join(", ", unknown.Select(u => u.Line))})." : "."));
                ja.Add("回答できません: この時刻にこのアドレスを使用していたルータの記録が欠けています"
                    + (unknown.Count > 0 ? $"({string.Join("、", unknown.Select(u => u.Line))})。" : "。"));
                break;
        }
        if (unknown.Count > 0 && verdict != "unknown")
        {
            en.Add($"{unknown.Count} other router(s) that held the address have missing records then ({string.Join(", ", unknown.Select(u => u.Line))}): they can be neither named nor excluded.");
            ja.Add($"このアドレスを使用していた他の {unknown.Count} 台のルータ({string.Join("、", unknown.Select(u => u.Line))})は記録が欠けており、特定も除外もできません。");
        }
        int unsynced = candidates.SelectMany(x => x.Windows).Count(w => !w.ClockSynchronized);
        if (unsynced > 0)
        {
            en.Add($"{unsynced} window(s) used were recorded with an unsynchronised clock; their times are less certain.");
            ja.Add($"使用した {unsynced} 個の時間窓は時刻が同期していない状態で記録されており、時刻の確度が下がります。");
        }
        if (candidates.Any(x => x.Notes.Count > 0))
        {
            en.Add("Some candidates have no evidence for every observation (see their notes).");
            ja.Add("一部の候補には、すべての観測についての証拠がありません(注記を参照)。");
        }
        return (string.Join(" ", en), string.Join("", ja));
    }

    public static string Odds(double p) => p <= 0 ? "0" : p.ToString("G3", CultureInfo.InvariantCulture);
}
