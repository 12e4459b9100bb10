using Microsoft.AspNetCore.Http.HttpResults;

namespace LogPipeline.Api.Infrastructure;

/// <summary>Collects what is wrong with a request's query, by field, for one 400 ValidationProblem.</summary>
internal sealed class QueryErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal),
        title: "The request's query is not valid.");
}
