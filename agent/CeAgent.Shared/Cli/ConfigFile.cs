using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CeAgent.Shared.Cli;

/// <summary>
/// Reads the JSON files operators and requesters hand us (agent.json, isp.json, request.json) the same
/// strict way: a bounded read (a device such as /dev/zero or /dev/urandom yields endless bytes), and every
/// deserialiser error turned into a <see cref="FormatException"/> that names the field by its JSON path.
/// </summary>
public static class ConfigFile
{
    /// <summary>Real files are a few kB; a request of 50 observations is under 20 kB.</summary>
    public const int MaxBytes = 1 << 20;

    public static string ReadText(string path)
    {
        try
        {
            if (Directory.Exists(path))
                throw new FormatException($"{path}: is a directory, not a file");
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            var buffer = new byte[Math.Min(MaxBytes + 1, Math.Max(f.CanSeek ? f.Length : 0, 0) + 1 + 4096)];
            int total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length > MaxBytes)
                        throw new FormatException($"{path}: larger than {MaxBytes} bytes, or not a regular file");
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxBytes + 1));
                }
                int n = f.Read(buffer, total, buffer.Length - total);
                if (n == 0)
                    break;
                total += n;
            }
            return Utf8(buffer.AsSpan(0, total), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
    }

    private static string Utf8(ReadOnlySpan<byte> bytes, string path)
    {
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (ArgumentException)
        {
            throw new FormatException($"{path}: not UTF-8 text");
        }
    }

    /// <summary>Deserialises <paramref name="json"/>; null, wrong types, bad numbers and unknown fields come
    /// back as a FormatException naming <paramref name="where"/> and the field's path.</summary>
    public static T Parse<T>(string json, JsonTypeInfo<T> info, string where) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, info) ?? throw new FormatException($"{where}: empty (null), expected an object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{where}: {Field(e.Path)}{FirstSentence(e.Message)}");
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            // The serializer reports some shapes (e.g. an object where a string belongs, in some positions)
            // this way rather than as JsonException.
            throw new FormatException($"{where}: {FirstSentence(e.Message)}");
        }
    }

    private static string Field(string? path) =>
        path is null or "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] + ": " : path + ": ";

    private static string FirstSentence(string message)
    {
        int pathAt = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return pathAt > 0 ? message[..pathAt] : message;
    }
}
