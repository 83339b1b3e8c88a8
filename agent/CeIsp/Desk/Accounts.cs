using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CeIsp.Desk;

/// <summary>What an account may do: a requester submits and reads its own requests, an auditor reads the
/// audit log and every request, an administrator manages (lists) the enrolled devices.</summary>
public static class Roles
{
    public const string Requester = "requester", Auditor = "auditor", Administrator = "administrator";
    public static readonly string[] All = [Requester, Auditor, Administrator];
}

public sealed record Account
{
    public string Name { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    /// <summary>"pbkdf2-sha256$iterations$salt$hash", salt and hash in base64 (<see cref="PasswordHash"/>).</summary>
    public string Password { get; set; } = "";
}

public sealed record AccountsFile
{
    public List<Account> Users { get; set; } = [];
}

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes as a desk's own accounts file keeps them. The iteration count is
/// stored with each hash so it can be raised later without invalidating old ones; below
/// <see cref="MinIterations"/> a hash is refused (a weak hash is a leak waiting for the file to be copied).
/// </summary>
public static class PasswordHash
{
    public const int DefaultIterations = 600_000; // OWASP's figure for PBKDF2-HMAC-SHA256 (2023)
    public const int MinIterations = 100_000;
    private const string Scheme = "pbkdf2-sha256";

    public static string Create(string password, int iterations = DefaultIterations)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>The first thing wrong with a stored hash, or null.</summary>
    public static string? Problem(string stored)
    {
        string[] p = stored.Split('$');
        if (p.Length != 4 || p[0] != Scheme)
            return $"not '{Scheme}$iterations$salt$hash'";
        if (!int.TryParse(p[1], out int n) || n < MinIterations)
            return $"iterations '{p[1]}' below {MinIterations}";
        try
        {
            return Convert.FromBase64String(p[2]).Length < 16 || Convert.FromBase64String(p[3]).Length != 32 ? "salt under 16 bytes or hash not 32" : null;
        }
        catch (FormatException)
        {
            return "salt or hash not base64";
        }
    }

    public static bool Verify(string password, string stored)
    {
        if (Problem(stored) is not null)
            return false;
        string[] p = stored.Split('$');
        byte[] want = Convert.FromBase64String(p[3]);
        byte[] got = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(p[2]), int.Parse(p[1]), HashAlgorithmName.SHA256, 32);
        return CryptographicOperations.FixedTimeEquals(want, got);
    }
}

/// <summary>
/// The desk's local accounts (users.json). Sign-in failures are counted per name: after
/// <see cref="MaxFailures"/> the name is locked for <see cref="Lockout"/>, so a password cannot be guessed
/// online faster than a few a minute, and each guess also costs the server a full PBKDF2.
/// </summary>
public sealed class Accounts
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, Account> _byName;
    private readonly Dictionary<string, (int Count, DateTimeOffset Until)> _failures = [];
    private readonly TimeProvider _time;

    public Accounts(IEnumerable<Account> accounts, TimeProvider? time = null)
    {
        _byName = accounts.ToDictionary(a => a.Name, StringComparer.Ordinal);
        _time = time ?? TimeProvider.System;
    }

    public static Accounts Load(string path)
    {
        AccountsFile f;
        try
        {
            f = JsonSerializer.Deserialize(File.ReadAllText(path), DeskJson.Default.AccountsFile) ?? throw new FormatException($"{path}: empty");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
        return Validate(f) is { } problem ? throw new FormatException($"{path}: {problem}") : new Accounts(f.Users);
    }

    /// <summary>The first thing wrong, named by its field, or null.</summary>
    public static string? Validate(AccountsFile f)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < f.Users.Count; i++)
        {
            Account a = f.Users[i];
            if (a.Name.Length is 0 or > 64 || a.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
                return $"users[{i}].name: '{a.Name}' must be 1-64 of A-Z a-z 0-9 . - _";
            if (!seen.Add(a.Name))
                return $"users[{i}].name: '{a.Name}' appears twice";
            if (a.Roles.Count == 0)
                return $"users[{i}].roles: empty";
            if (a.Roles.FirstOrDefault(r => !CeIsp.Desk.Roles.All.Contains(r)) is { } bad)
                return $"users[{i}].roles: '{bad}' is not one of {string.Join(", ", CeIsp.Desk.Roles.All)}";
            if (PasswordHash.Problem(a.Password) is { } p)
                return $"users[{i}].password: {p}";
        }
        return null;
    }

    /// <summary>The account, if the name exists, is not locked and the password is right.</summary>
    public Account? SignIn(string name, string password)
    {
        lock (_failures)
            if (_failures.TryGetValue(name, out var f) && f.Count >= MaxFailures && f.Until > _time.GetUtcNow())
                return null;
        if (_byName.TryGetValue(name, out Account? a) && PasswordHash.Verify(password, a.Password))
        {
            lock (_failures)
                _failures.Remove(name);
            return a;
        }
        lock (_failures)
        {
            int count = _failures.TryGetValue(name, out var f) && f.Until > _time.GetUtcNow() ? f.Count + 1 : 1;
            _failures[name] = (count, _time.GetUtcNow() + Lockout);
        }
        return null;
    }

    public Account? Find(string name) => _byName.GetValueOrDefault(name);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, ReadCommentHandling = JsonCommentHandling.Skip,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(AccountsFile))]
[JsonSerializable(typeof(DeskVerdict))]
[JsonSerializable(typeof(StoredRequest))]
[JsonSerializable(typeof(ParseInput))]
[JsonSerializable(typeof(ParseResult))]
[JsonSerializable(typeof(SignInInput))]
[JsonSerializable(typeof(MeView))]
[JsonSerializable(typeof(CsrfView))]
[JsonSerializable(typeof(List<StoredRequestSummary>))]
[JsonSerializable(typeof(List<DeviceView>))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(FilterMaterial))]
[JsonSerializable(typeof(List<FilterMaterial>))]
public sealed partial class DeskJson : JsonSerializerContext;
