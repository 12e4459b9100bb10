using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace LogPipeline.Formats;

public static partial class LogParser
{
    /// <summary>
    /// A hand-rolled reader rather than <c>JsonSerializer</c>: the serializer throws on a missing
    /// required member, which would hide which field is missing, defeat the service/host fallbacks,
    /// and cost an exception per bad line. Unknown properties are skipped for forward compatibility.
    /// </summary>
    private static bool TryParseJson(ReadOnlySpan<byte> line, in LogParseContext context, [NotNullWhen(true)] out LogEvent? result, out LogParseError error)
    {
        result = null;
        // A missing "v" reads as version 1, as the serializer's default does.
        var version = LogEvent.CurrentVersion;
        DateTimeOffset? timestamp = null;
        string? service = null, host = null, message = null, traceId = null, spanId = null;
        LogLevel? level = null;
        HttpInfo? http = null;
        Dictionary<string, string>? attributes = null;

        // Semantic problems wait until the version is known: a v2 line is unsupported, not "bad level".
        LogParseError pending = default;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(LogParseErrorCode.BadJson, "JSON line is not an object", out error);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("v"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out version))
                    {
                        return Fail(LogParseErrorCode.BadJson, "'v' is not an integer", out error);
                    }
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (WireText.TryParseRfc3339(ValueBytes(ref reader), out var t))
                        {
                            timestamp = t;
                        }
                        else
                        {
                            Pend(ref pending, LogParseErrorCode.BadTimestamp, "'timestamp' is not RFC 3339 with an offset");
                        }
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        Pend(ref pending, LogParseErrorCode.BadTimestamp, "'timestamp' is not a string");
                    }
                }
                else if (reader.ValueTextEquals("level"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && WireText.TryParseLevel(ValueBytes(ref reader), out var l))
                    {
                        level = l;
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        Pend(ref pending, LogParseErrorCode.BadLevel, "'level' is not a known level");
                    }
                }
                else if (reader.ValueTextEquals("service"u8))
                {
                    service = ReadString(ref reader, "service", shared: true);
                }
                else if (reader.ValueTextEquals("host"u8))
                {
                    host = ReadString(ref reader, "host", shared: true);
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    message = ReadString(ref reader, "message");
                }
                else if (reader.ValueTextEquals("traceId"u8))
                {
                    traceId = ReadString(ref reader, "traceId");
                }
                else if (reader.ValueTextEquals("spanId"u8))
                {
                    spanId = ReadString(ref reader, "spanId");
                }
                else if (reader.ValueTextEquals("http"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (!TryReadHttp(ref reader, out http, out var httpError))
                        {
                            Pend(ref pending, httpError.Code, httpError.Message);
                        }
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        Pend(ref pending, LogParseErrorCode.BadHttp, "'http' is not an object");
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("attributes"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var key = SharedString(ref reader);
                            attributes ??= new(AttributesCapacity);
                            attributes[key] = ReadString(ref reader, "attributes", key) ?? string.Empty;
                        }
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        return Fail(LogParseErrorCode.BadJson, "'attributes' is not an object", out error);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Anything after the closing brace but whitespace makes the reader throw.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Fail(LogParseErrorCode.BadJson, "JSON line has content after the object", out error);
            }
        }
        catch (JsonException ex)
        {
            return Fail(LogParseErrorCode.BadJson, ex.Message, out error);
        }
        catch (InvalidOperationException ex)
        {
            // Thrown by GetString and friends for a token of the wrong type.
            return Fail(LogParseErrorCode.BadJson, ex.Message, out error);
        }

        if (version != LogEvent.CurrentVersion)
        {
            return Fail(LogParseErrorCode.UnsupportedVersion, $"JSON version {version} is not {LogEvent.CurrentVersion}", out error);
        }

        if (pending.Code != LogParseErrorCode.None)
        {
            error = pending;
            return false;
        }

        if (timestamp is not { } ts || level is not { } lvl || message is null)
        {
            var missing = timestamp is null ? "timestamp" : level is null ? "level" : "message";
            return Fail(LogParseErrorCode.MissingField, $"JSON line has no '{missing}'", out error);
        }

        return Build(ts, service, host, lvl, message, http, traceId, spanId, attributes, context, out result, out error);
    }

    private static void Pend(ref LogParseError pending, LogParseErrorCode code, string message)
    {
        if (pending.Code == LogParseErrorCode.None)
        {
            pending = new LogParseError(code, message);
        }
    }

    private static ReadOnlySpan<byte> ValueBytes(ref Utf8JsonReader reader)
        => reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

    /// <summary>Reads the value after a property name: a string, or null for JSON null; throws for other types.</summary>
    /// <param name="reader">Positioned on the property name.</param>
    /// <param name="name">The property, for the error.</param>
    /// <param name="key">A key under <paramref name="name"/>, for the error (joined only when there is one).</param>
    /// <param name="shared">The value repeats from line to line (service, host, method): one shared string for it.</param>
    private static string? ReadString(ref Utf8JsonReader reader, string name, string? key = null, bool shared = false)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => shared ? SharedString(ref reader) : reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"'{(key is null ? name : name + "." + key)}' is not a string"),
        };
    }

    /// <summary>The current string token through <see cref="Utf8Interner"/> (escaped ones, rare, are decoded as usual).</summary>
    private static string SharedString(ref Utf8JsonReader reader) => reader.ValueIsEscaped ? reader.GetString()! : Utf8Interner.Get(reader.ValueSpan);

    private static bool TryReadHttp(ref Utf8JsonReader reader, out HttpInfo? http, out LogParseError error)
    {
        string? method = null, path = null;
        int? status = null;
        double? duration = null;
        long? bytes = null;
        var typesOk = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("method"u8))
            {
                method = ReadString(ref reader, "http.method", shared: true);
            }
            else if (reader.ValueTextEquals("path"u8))
            {
                path = ReadString(ref reader, "http.path");
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                typesOk &= reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var s) && (status = s) is not null;
            }
            else if (reader.ValueTextEquals("durationMs"u8))
            {
                reader.Read();
                typesOk &= reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) && (duration = d) is not null;
            }
            else if (reader.ValueTextEquals("bytes"u8))
            {
                reader.Read();
                typesOk &= reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var b) && (bytes = b) is not null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!typesOk)
        {
            http = null;
            return Fail(LogParseErrorCode.BadHttp, "'http' status, durationMs and bytes must be numbers", out error);
        }

        return TryHttp(method, path, status, duration, bytes, out http, out error) && (http is not null || Fail(LogParseErrorCode.BadHttp, "'http' is empty", out error));
    }
}
