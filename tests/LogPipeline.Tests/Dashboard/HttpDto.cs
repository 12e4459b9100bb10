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

public sealed record HttpDto(string? Method, string? Path, int? Status, double? DurationMs, long? Bytes);
