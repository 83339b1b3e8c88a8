namespace CeAgent.Shared.Cli;

/// <summary>
/// A deliberately small option parser: `--name value`, `--name=value` and `--flag`. Hand-rolled because
/// System.CommandLine is reflection-heavy and not worth its size in a trimmed router binary.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positional { get; }

    private CliArgs(List<string> positional) => Positional = positional;

    /// <param name="flags">Options that take no value; every other option takes exactly one.</param>
    public static CliArgs Parse(IReadOnlyList<string> args, params string[] flags)
    {
        var positional = new List<string>();
        var parsed = new CliArgs(positional);
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--")
            {
                positional.Add(a);
                continue;
            }
            string name = a[2..];
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (Array.IndexOf(flags, name) < 0)
            {
                if (i + 1 >= args.Count)
                    throw new CliException($"option --{name} needs a value");
                value = args[++i];
            }
            if (!parsed._options.TryAdd(name, value))
                throw new CliException($"option --{name} given twice");
        }
        return parsed;
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out string? v))
            return false;
        if (v is not null)
            throw new CliException($"option --{name} takes no value");
        return true;
    }

    public string? Get(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out string? v) ? v : null;
    }

    public string Require(string name) =>
        Get(name) ?? throw new CliException($"missing required option --{name}");

    public int? GetInt(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        string? s = Get(name);
        if (s is null)
            return null;
        if (!int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v))
            throw new CliException($"option --{name}: '{s}' is not an integer");
        if (v < min || v > max)
            throw new CliException($"option --{name}: {v} is outside {min}..{max}");
        return v;
    }

    public int RequireInt(string name, int min = int.MinValue, int max = int.MaxValue) =>
        GetInt(name, min, max) ?? throw new CliException($"missing required option --{name}");

    private int _wordsTaken;

    /// <summary>The positional words, for a command that takes them (`ce-isp key master`); it checks them itself.</summary>
    public IReadOnlyList<string> TakeWords()
    {
        _wordsTaken = Positional.Count;
        return Positional;
    }

    /// <summary>Call after reading every option a command knows, so a typo is an error, not a silent default.</summary>
    public void RejectUnknown()
    {
        // Only a command that takes words (`key master`) reads them: `mape junk` is a mistake, not something to ignore.
        if (Positional.Count > _wordsTaken)
            throw new CliException($"unexpected argument '{Positional[_wordsTaken]}'");
        foreach (string name in _options.Keys)
            if (!_used.Contains(name))
                throw new CliException($"unknown option --{name}");
    }
}

/// <summary>A usage error: the program prints the message and exits with status 2.</summary>
public sealed class CliException(string message) : Exception(message);
