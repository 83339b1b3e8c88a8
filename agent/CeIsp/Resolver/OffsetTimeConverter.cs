using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CeIsp.Resolver;

/// <summary>
/// Reads a time only in RFC 3339 with an explicit offset ("Z" or "+09:00"). The default converter takes
/// "2026-12-02T10:00:00" in the server's local zone, so the same request would name a household under
/// TZ=UTC and nobody under Asia/Tokyo.
/// </summary>
public sealed class OffsetTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"expected a string (RFC 3339 time with a UTC offset), found {reader.TokenType}");
        string text = reader.GetString()!;
        if (!HasOffset(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset t))
            throw new JsonException($"'{text}' is not an RFC 3339 time with a UTC offset (e.g. 2026-12-02T10:00:00Z or 2026-12-02T19:00:00+09:00)");
        return t;
    }

    /// <summary>The part after the date must end in Z or ±hh:mm.</summary>
    internal static bool HasOffset(string text)
    {
        int t = text.IndexOfAny(['T', 't']);
        if (t < 0 || text.Length < t + 2)
            return false;
        string time = text[(t + 1)..];
        if (time.EndsWith('Z') || time.EndsWith('z'))
            return true;
        int sign = time.LastIndexOfAny(['+', '-']);
        return sign > 0 && time.Length - sign == 6 && time[sign + 3] == ':';
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
}
