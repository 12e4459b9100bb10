using System.Linq.Expressions;
using System.Reflection;
using LogPipeline.Data;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// The one place where the API's queries differ per engine, so that SQLite and MariaDB give the same
/// answers. SQLite compares text by its bytes (BINARY); MariaDB's columns are
/// <c>utf8mb4_general_ci</c>, which folds case and accents ("echec" = "Échec"), weighs every
/// character outside the BMP the same (any emoji equals any other) and ignores trailing spaces in
/// <c>=</c>. Left alone, a service filter, a search, a GROUP BY and an ORDER BY on text would answer
/// differently on MariaDB. Dates differ too: MariaDB's DATETIME(6) holds whole microseconds and the
/// driver drops the rest of a parameter, where SQLite keeps ticks.
/// </summary>
internal static class StoreRules
{
    /// <summary>
    /// Code point order with trailing spaces significant: SQLite's BINARY. (<c>utf8mb4_bin</c> is a
    /// PAD SPACE collation on MariaDB, so "a " would still equal "a".)
    /// </summary>
    public const string MariaDbExactCollation = "utf8mb4_nopad_bin";

    private static readonly MethodInfo Collate = typeof(RelationalDbFunctionsExtensions)
        .GetMethod(nameof(RelationalDbFunctionsExtensions.Collate))!
        .MakeGenericMethod(typeof(string));

    public static bool IsMariaDb(this LogStoreContext db) => db.Database.IsMySql();

    /// <summary>
    /// Rows whose <paramref name="column"/> equals <paramref name="value"/> exactly (case, accents and
    /// trailing spaces count). On MariaDB the plain comparison stays in front so its index is still used;
    /// the collated one removes what the collation let through.
    /// </summary>
    public static IQueryable<T> WhereTextIs<T>(this IQueryable<T> rows, LogStoreContext db, Expression<Func<T, string>> column, string value)
    {
        Expression<Func<string>> parameter = () => value; // a closure member: EF sends it as a parameter
        var test = Expression.Equal(column.Body, parameter.Body);
        if (db.IsMariaDb())
        {
            test = Expression.AndAlso(test, Expression.Equal(Exact(column.Body), parameter.Body));
        }

        return rows.Where(Expression.Lambda<Func<T, bool>>(test, column.Parameters));
    }

    /// <summary>
    /// Messages that contain <paramref name="text"/> ignoring case and nothing else, as a parameter
    /// with LIKE's wildcards escaped: both sides lowercased, then compared by code point. SQLite's own
    /// lower() folds ASCII only; LogPipeline.Data's <c>SqliteConnectionSetup</c> replaces it with .NET's invariant
    /// lowercase on every store connection, so both engines fold the same letters.
    /// </summary>
    public static IQueryable<LogEventRow> WhereMessageContains(this IQueryable<LogEventRow> rows, LogStoreContext db, string text)
    {
#pragma warning disable CA1308 // lowercase is what both engines' LOWER() produce; the comparison is of lowercased text
        var pattern = QueryParsing.ContainsPattern(text.ToLowerInvariant());
#pragma warning restore CA1308
        return db.IsMariaDb()
            ? rows.Where(e => EF.Functions.Like(EF.Functions.Collate(e.Message.ToLower(), MariaDbExactCollation), pattern, QueryParsing.LikeEscape))
            : rows.Where(e => EF.Functions.Like(e.Message.ToLower(), pattern, QueryParsing.LikeEscape));
    }

    /// <summary>The text as compared for grouping and ordering: by code point on both engines.</summary>
    public static Expression Exact(Expression text) =>
        Expression.Call(Collate, Expression.Constant(EF.Functions), text, Expression.Constant(MariaDbExactCollation));

    /// <summary>
    /// A range bound as the store can compare it. Rows on MariaDB hold whole microseconds, and the
    /// driver truncates a parameter to microseconds, which would turn <c>t &gt;= from</c> and
    /// <c>t &lt; to</c> into comparisons with an earlier instant. For those two the next whole
    /// microsecond gives the same rows as the exact bound; <c>&gt;</c> is right with the truncation.
    /// </summary>
    public static DateTime LowerOrUpperBound(this LogStoreContext db, DateTime t)
    {
        var rest = t.Ticks % TimeSpan.TicksPerMicrosecond;
        return rest == 0 || !db.IsMariaDb() || t.Ticks > DateTime.MaxValue.Ticks - TimeSpan.TicksPerMicrosecond
            ? t
            : t.AddTicks(TimeSpan.TicksPerMicrosecond - rest);
    }
}
