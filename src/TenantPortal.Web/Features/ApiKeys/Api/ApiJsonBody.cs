using System.Buffers;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using TenantPortal.Web.Infrastructure.Api;

namespace TenantPortal.Web.Features.ApiKeys.Api;

/// <summary>
/// Reads a small JSON object of string fields from a request body, for bodies that may hold a key: the bytes go to a
/// pooled buffer that is cleared afterwards, nothing is logged, and every refusal names the problem without quoting
/// the body (a JSON error gives the line and byte, never the parser's text, which quotes what it met).
/// </summary>
internal static class ApiJsonBody
{
    /// <summary>Far above an 8 KB key in JSON (escapes included), far below what would tie up the server.</summary>
    public const int MaxBytes = 64 * 1024;

    public sealed record Fields(IReadOnlyDictionary<string, string?> Values, IResult? Problem)
    {
        public string? this[string name] => Values.GetValueOrDefault(name);
    }

    public static async Task<Fields> ReadAsync(HttpRequest request, IReadOnlyList<string> allowed, string example, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", $"Send the body as application/json: {example}.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= MaxBytes && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                return Refused(StatusCodes.Status413PayloadTooLarge, "body_too_large",
                    $"The request body is larger than {MaxBytes / 1024} KB. An API key is at most {ApiKeyValueRules.MaxBytes / 1024} KB.");
            }

            return Parse(buffer.AsSpan(0, length), allowed, example);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static Fields Parse(ReadOnlySpan<byte> json, IReadOnlyList<string> allowed, string example)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Refused(StatusCodes.Status400BadRequest, "body_not_object", $"The body must be a JSON object: {example}.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!allowed.Contains(name, StringComparer.Ordinal))
                {
                    return Refused(StatusCodes.Status400BadRequest, "unknown_property",
                        $"The body has a property this operation does not take (not named here: it could be a pasted key); it takes {string.Join(", ", allowed.Select(a => $"\"{a}\""))}.");
                }

                if (values.ContainsKey(name))
                {
                    return Refused(StatusCodes.Status400BadRequest, "duplicate_property", $"The body names \"{name}\" twice.");
                }

                reader.Read();
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return Refused(StatusCodes.Status400BadRequest, "property_not_string", $"\"{name}\" must be a JSON string.");
                }

                values[name] = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Refused(StatusCodes.Status400BadRequest, "body_not_object", $"The body must be one JSON object: {example}.");
            }
        }
        catch (JsonException ex)
        {
            return Refused(StatusCodes.Status400BadRequest, "malformed_json",
                $"The body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}). Send {example}.");
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8 or holds an invalid escape.
            return Refused(StatusCodes.Status400BadRequest, "malformed_json", $"The body holds a JSON string that cannot be read (invalid UTF-8 or escape). Send {example}.");
        }

        return new Fields(values, null);
    }

    private static Fields Refused(int status, string code, string detail) =>
        new(new Dictionary<string, string?>(), ApiProblem.Result(status, code, detail));
}
