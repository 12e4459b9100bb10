using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LogPipeline.Data;
using LogPipeline.Testing;
using LogPipeline.Tests.Infrastructure;
using Microsoft.Playwright;
using static LogPipeline.Tests.Infrastructure.BrowserPage;
using static Microsoft.Playwright.Assertions;

namespace LogPipeline.Tests.Dashboard;

public sealed record ItemDto(
    long Id, DateTimeOffset Timestamp, string Service, string Host, string Level, string Message,
    HttpDto? Http, string? TraceId, string? SpanId, string? Fingerprint, bool IsLate, Dictionary<string, string>? Attributes);
