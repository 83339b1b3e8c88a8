namespace CeAgent.Shared.Secrets;

/// <summary>
/// Files that hold a secret (a device key, a filter key, the master key, a configuration holding one): written
/// 0600 by rename, so a power cut never leaves half a key and no moment exists when others can read it; and
/// refused when group or others may read or write them, naming the file and its mode.
/// </summary>
public static class SecretFile
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Throws <see cref="InvalidDataException"/> when others may read or write <paramref name="path"/>.</summary>
    public static void RequirePrivate(string path, string what)
    {
        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & Others) != 0)
            throw new InvalidDataException($"{path}: {what} has mode {Octal(mode)}, open to others; chmod 600 it (and give it to the service user)");
    }

    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    /// <summary>Writes the file 0600 through a temporary file, fsync and rename; refuses to replace an existing one
    /// unless <paramref name="overwrite"/>.</summary>
    public static void Write(string path, string text, bool overwrite = false)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        if (!overwrite && File.Exists(path))
            throw new IOException($"{path}: exists; not replaced");
        string tmp = path + ".tmp";
        File.Delete(tmp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private };
        using (var fs = new FileStream(tmp, options))
        using (var sw = new StreamWriter(fs))
        {
            sw.Write(text);
            sw.Flush();
            fs.Flush(flushToDisk: true);
        }
        File.SetUnixFileMode(tmp, Private); // whatever the umask
        File.Move(tmp, path, overwrite);
    }
}
