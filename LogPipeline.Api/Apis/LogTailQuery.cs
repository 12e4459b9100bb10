using System.ComponentModel;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LogPipeline.Api.Apis;

/// <summary>Query of <c>GET /api/logs/tail</c>.</summary>
public sealed record LogTailQuery(
    [property: Description("Only this service")] string? Service,
    [property: Description("Minimum level: trace, debug, info, warn, error, fatal")] string? Level,
    [property: Description("Case-insensitive text the message contains")] string? Q,
    [property: Description("Only this W3C trace id (32 hex digits, any case)")] string? TraceId);
