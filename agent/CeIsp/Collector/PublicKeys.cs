using System.Security.Cryptography;

namespace CeIsp.Collector;

/// <summary>What a CE's enrolled key must be: a PEM "PUBLIC KEY" on P-256, the curve of ES256. Checked
/// when the configuration is read and before a key is enrolled on first use, so that a bad one is refused
/// up front instead of failing on the device's first message.</summary>
public static class PublicKeys
{
    private const string P256 = "1.2.840.10045.3.1.7";
    private const int MaxPemChars = 1024;

    /// <summary>What is wrong with the key, as the end of a sentence ("... is empty"), or null.</summary>
    public static string? Problem(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
            return "is empty";
        if (pem.Length > MaxPemChars)
            return $"is {pem.Length} characters, too long for a P-256 public key";
        if (!pem.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
            return "is not a PEM public key (-----BEGIN PUBLIC KEY-----)";
        try
        {
            using ECDsa k = ECDsa.Create();
            k.ImportFromPem(pem);
            string? curve = k.ExportParameters(false).Curve.Oid.Value;
            return curve == P256 ? null : $"is on curve {curve ?? "(unnamed)"}, not P-256";
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or PlatformNotSupportedException) // an unknown curve OID: the platform says it does not support it
        {
            return $"does not parse ({e.Message})";
        }
    }

    /// <summary>The key re-exported: only the key's own bytes, whatever text surrounded it.</summary>
    public static string Canonical(string pem)
    {
        using ECDsa k = ECDsa.Create();
        k.ImportFromPem(pem);
        return k.ExportSubjectPublicKeyInfoPem();
    }
}
