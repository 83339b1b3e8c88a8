using System.Text.Json;
using CeAgent.Shared.Cli;
using CeIsp.Desk;

namespace CeIsp.Commands;

/// <summary>`ce-isp user`: adds or replaces a desk account; the password is read from standard input so it
/// never appears in a process list or a shell history.</summary>
internal static class UserCommand
{
    public static Command Definition { get; } = new("user", "add or replace a desk account (password on standard input)",
        "usage: ce-isp user --users FILE --name NAME --roles requester[,auditor][,administrator] < password", Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv);
        string file = args.Require("users"), name = args.Require("name");
        List<string> roles = [.. args.Require("roles").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        args.RejectUnknown();
        string password = Console.In.ReadLine() ?? "";
        if (password.Length < 12)
            throw new CliException("password: at least 12 characters on standard input");
        AccountsFile f = File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllText(file), DeskJson.Default.AccountsFile) ?? new() : new();
        f.Users.RemoveAll(u => u.Name == name);
        f.Users.Add(new Account { Name = name, Roles = roles, Password = PasswordHash.Create(password) });
        if (Accounts.Validate(f) is { } problem)
            throw new CliException($"{file}: {problem}");
        string tmp = file + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(f, DeskJson.Default.AccountsFile));
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, file, overwrite: true);
        Console.Out.WriteLine($"{file}: {name} ({string.Join(", ", roles)})");
        return 0;
    }
}
