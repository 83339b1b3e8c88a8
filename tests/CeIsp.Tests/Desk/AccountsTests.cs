using CeIsp.Desk;

namespace CeIsp.Tests.Desk;

public class AccountsTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.Parse("2026-12-03T00:00:00Z");
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly string Hash = PasswordHash.Create("s3cret-enough", PasswordHash.MinIterations);

    [Fact]
    public void A_hash_verifies_its_password_only_and_is_salted()
    {
        Assert.True(PasswordHash.Verify("s3cret-enough", Hash));
        Assert.False(PasswordHash.Verify("s3cret-enougH", Hash));
        Assert.NotEqual(Hash, PasswordHash.Create("s3cret-enough", PasswordHash.MinIterations));
        Assert.StartsWith("pbkdf2-sha256$600000$", PasswordHash.Create("x"));
    }

    [Theory]
    [InlineData("sha1$1$a$b", "not 'pbkdf2-sha256$iterations$salt$hash'")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "iterations '1000' below 100000")]
    [InlineData("pbkdf2-sha256$100000$!!$AAAA", "salt or hash not base64")]
    [InlineData("pbkdf2-sha256$100000$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "salt under 16 bytes or hash not 32")]
    public void A_weak_or_malformed_hash_is_refused(string stored, string problem)
    {
        Assert.Equal(problem, PasswordHash.Problem(stored));
        Assert.False(PasswordHash.Verify("", stored));
    }

    [Theory]
    [InlineData("ta naka", "requester", "users[0].name: 'ta naka' must be")]
    [InlineData("", "requester", "users[0].name: '' must be")]
    [InlineData("tanaka", "root", "users[0].roles: 'root' is not one of requester, auditor, administrator")]
    public void The_accounts_file_names_what_is_wrong(string name, string role, string problem)
    {
        var f = new AccountsFile { Users = [new Account { Name = name, Roles = [role], Password = Hash }] };
        Assert.StartsWith(problem, Accounts.Validate(f));
        var twice = new AccountsFile { Users = [new Account { Name = "a", Roles = ["auditor"], Password = Hash }, new Account { Name = "a", Roles = ["auditor"], Password = Hash }] };
        Assert.Equal("users[1].name: 'a' appears twice", Accounts.Validate(twice));
        Assert.Equal("users[0].roles: empty", Accounts.Validate(new AccountsFile { Users = [new Account { Name = "a", Password = Hash }] }));
    }

    [Fact]
    public void Files_that_cannot_be_read_say_so()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"users":[{"name":"a","roles":["auditor"],"password":"x","extra":1}]}""");
            Assert.StartsWith(path + ":", Assert.Throws<FormatException>(() => Accounts.Load(path)).Message);
            File.WriteAllText(path, """{"users":[{"name":"a","roles":["auditor"],"password":"x"}]}""");
            Assert.Equal($"{path}: users[0].password: not 'pbkdf2-sha256$iterations$salt$hash'", Assert.Throws<FormatException>(() => Accounts.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Five_failures_lock_a_name_for_a_minute_even_against_the_right_password()
    {
        var clock = new Clock();
        var accounts = new Accounts([new Account { Name = "tanaka", Roles = ["requester"], Password = Hash }], clock);
        Assert.NotNull(accounts.SignIn("tanaka", "s3cret-enough"));
        for (int i = 0; i < Accounts.MaxFailures; i++)
            Assert.Null(accounts.SignIn("tanaka", "guess" + i));
        Assert.Null(accounts.SignIn("tanaka", "s3cret-enough"));
        clock.Now += Accounts.Lockout + TimeSpan.FromSeconds(1);
        Assert.NotNull(accounts.SignIn("tanaka", "s3cret-enough"));
        Assert.Null(accounts.SignIn("nobody", "s3cret-enough"));
    }
}
