using System.Security.Cryptography;
using CeAgent.Shared.Secrets;

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
        SecretFile.Write(path, created.ExportPkcs8PrivateKeyPem());
        return Load(path);
    }

    public static ECDsa Load(string path)
    {
        SecretFile.RequirePrivate(path, "the device's private key");
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
        return key;
    }

    public static string PublicPem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Where a rotation keeps the key to come (until committed) and the key it replaced.</summary>
    public static string NextPath(string path) => path + ".next";

    public static string PreviousPath(string path) => path + ".previous";

    /// <summary>
    /// Step one of a rotation: a new key beside the current one, not yet used, so the ISP can enrol it as the
    /// CE's next key before anything is signed with it (docs/privacy.md). Returns it; an existing one is kept.
    /// </summary>
    public static ECDsa Prepare(string path)
    {
        Load(path).Dispose(); // only a CE with a working key rotates
        return LoadOrCreate(NextPath(path));
    }

    /// <summary>Step two: the next key becomes the key (the agent uses it from its next start); the replaced
    /// one is kept as <see cref="PreviousPath"/> for the transition.</summary>
    public static void Commit(string path)
    {
        string next = NextPath(path);
        if (!File.Exists(next))
            throw new InvalidDataException($"{next}: no key prepared; run 'ce-agent key --rotate' first and enrol its public key at the ISP");
        Load(next).Dispose();
        File.Copy(path, PreviousPath(path), overwrite: true);
        File.SetUnixFileMode(PreviousPath(path), SecretFile.Private);
        File.Move(next, path, overwrite: true);
        Interop.FileSync.Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
