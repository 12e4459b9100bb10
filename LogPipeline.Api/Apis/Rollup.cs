using System.ComponentModel;
using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Api.Apis;

/// <summary>The stored buckets a stats answer is summed from.</summary>
internal enum Rollup
{
    Minute,
    FiveMinutes,
    Hour,
}
