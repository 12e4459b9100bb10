using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// Makes the OpenAPI document say what the routes accept and answer. Query parameters bound from
/// <c>[AsParameters]</c> records come out with the properties' PascalCase names, while clients (and
/// the README) use camelCase; binding ignores case, so the document names them as they are used.
/// Every route answers a bad parameter with the same ValidationProblem, described here once.
/// </summary>
internal sealed class OpenApiParameters : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter { In: ParameterLocation.Query, Name: [var first, .. var rest] } query && char.IsUpper(first))
            {
                query.Name = char.ToLowerInvariant(first) + rest;
            }
        }

        if (operation.Responses?.TryGetValue("400", out var badRequest) == true && badRequest is OpenApiResponse response)
        {
            response.Description = "A parameter is not valid: a ValidationProblem (application/problem+json) whose errors name each bad parameter with the reason.";
        }

        // A result type's own metadata (the tail's event stream) carries a description the generator leaves out.
        foreach (var produced in context.Description.ActionDescriptor.EndpointMetadata.OfType<IProducesResponseTypeMetadata>())
        {
            if (produced.Description is { Length: > 0 } description
                && operation.Responses?.TryGetValue(produced.StatusCode.ToString(CultureInfo.InvariantCulture), out var answer) == true
                && answer is OpenApiResponse { Description: "OK" } ok)
            {
                ok.Description = description;
            }
        }

        return Task.CompletedTask;
    }
}
