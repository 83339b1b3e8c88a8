using System.Reflection;

namespace CeAgent.Shared.Cli;

/// <summary>One sub-command of a program: its name, a one-line summary and its entry point.</summary>
public sealed record Command(string Name, string Summary, string Usage, Func<string[], int> Run);

/// <summary>
/// Dispatches `program <command> [options]` for both ce-agent and ce-isp, so the two behave alike:
/// --help, --version, exit status 2 on usage errors, 1 on runtime errors.
/// </summary>
public static class CommandTable
{
    public static string Version { get; } =
        typeof(CommandTable).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public static int Dispatch(string program, string description, IReadOnlyList<Command> commands, string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            if (args.Length > 1 && Find(commands, args[1]) is { } c)
            {
                Console.Out.WriteLine(c.Usage);
                return 0;
            }
            Console.Out.WriteLine(Help(program, description, commands));
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.Out.WriteLine($"{program} {Version}");
            return 0;
        }
        Command? cmd = Find(commands, args[0]);
        if (cmd is null)
        {
            Console.Error.WriteLine($"{program}: unknown command '{args[0]}' (try '{program} --help')");
            return 2;
        }
        string[] rest = args[1..];
        if (Array.IndexOf(rest, "--help") >= 0 || Array.IndexOf(rest, "-h") >= 0)
        {
            Console.Out.WriteLine(cmd.Usage);
            return 0;
        }
        try
        {
            return cmd.Run(rest);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"{program} {cmd.Name}: {e.Message}");
            Console.Error.WriteLine(cmd.Usage);
            return 2;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{program} {cmd.Name}: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug, not the user's input: still one line and exit 1, never an unhandled-exception abort.
            Console.Error.WriteLine($"{program} {cmd.Name}: internal error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static Command? Find(IReadOnlyList<Command> commands, string name)
    {
        foreach (Command c in commands)
            if (c.Name == name)
                return c;
        return null;
    }

    private static string Help(string program, string description, IReadOnlyList<Command> commands)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(program).Append(' ').AppendLine(Version);
        sb.AppendLine(description).AppendLine();
        sb.AppendLine($"usage: {program} <command> [options]").AppendLine();
        sb.AppendLine("commands:");
        foreach (Command c in commands)
            sb.Append("  ").Append(c.Name.PadRight(10)).AppendLine(c.Summary);
        sb.AppendLine().Append($"'{program} <command> --help' shows a command's options; '{program} --version' its version.");
        return sb.ToString();
    }
}
