using CeAgent.Shared.Secrets;

namespace CeAgent.Shared.Tests.Secrets;

public sealed class SecretFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("secret-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Written_files_are_0600_whatever_the_umask_and_are_not_replaced_silently()
    {
        string path = Path.Combine(_dir, "sub", "key");
        SecretFile.Write(path, "secret");
        Assert.Equal(SecretFile.Private, File.GetUnixFileMode(path));
        Assert.Equal("secret", File.ReadAllText(path));
        Assert.Contains("exists; not replaced", Assert.Throws<IOException>(() => SecretFile.Write(path, "other")).Message);
        SecretFile.Write(path, "other", overwrite: true);
        Assert.Equal("other", File.ReadAllText(path));
        SecretFile.RequirePrivate(path, "k");
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead, "0440")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite, "0620")]
    public void Files_open_to_others_are_refused_naming_file_and_mode(UnixFileMode mode, string octal)
    {
        string path = Path.Combine(_dir, "key");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, mode);
        var e = Assert.Throws<InvalidDataException>(() => SecretFile.RequirePrivate(path, "the filter key"));
        Assert.Contains(path, e.Message);
        Assert.Contains($"the filter key has mode {octal}", e.Message);
    }

    [Fact]
    public void Owner_only_files_pass()
    {
        string path = Path.Combine(_dir, "key");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        SecretFile.RequirePrivate(path, "k");
    }
}
