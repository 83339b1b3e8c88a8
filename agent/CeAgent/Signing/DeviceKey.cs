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
}
