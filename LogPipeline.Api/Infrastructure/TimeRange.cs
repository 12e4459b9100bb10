using System.Globalization;
using System.Text.RegularExpressions;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Api.Infrastructure;

/// <summary>A half-open UTC interval [<see cref="FromUtc"/>, <see cref="ToUtc"/>).</summary>
internal readonly record struct TimeRange(DateTime FromUtc, DateTime ToUtc);
