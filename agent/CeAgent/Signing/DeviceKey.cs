using System.Security.Cryptography;

namespace CeAgent.Signing;

/// <summary>
/// The CE's signing key: ECDSA P-256 in a PKCS#8 PEM file. Created on first start when absent, readable by
/// the agent alone (0600), and written by rename so a power cut never leaves half a key.
/// </summary>
public static class DeviceKey
{
    public const string DefaultPath = "/var/lib/ce-agent/device-key.pem";

    public static ECDsa LoadOrCreate(string path)
    {
        if (File.Exists(path))
            return Load(path);
        using ECDsa created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var fs = new FileStream(tmp, options))
        using (var sw = new StreamWriter(fs))
        {
            sw.Write(created.ExportPkcs8PrivateKeyPem());
            sw.Flush();
            fs.Flush(flushToDisk: true);
        }
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: false);
        return Load(path);
    }

    public static ECDsa Load(string path)
    {
        string pem = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{path}: not a PEM ECDSA private key ({e.Message})");
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidDataException($"{path}: the key has {key.KeySize} bits; ES256 needs P-256");
        }
        if ((File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new InvalidDataException($"{path}: the private key is readable by others; chmod 600 it");
        return key;
    }

    public static string PublicPem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem();
}
