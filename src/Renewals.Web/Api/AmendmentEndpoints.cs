using Microsoft.Extensions.Localization;
using Renewals.Core.Amendments;
using Renewals.Domain;
using Renewals.Web.Text;

namespace Renewals.Web.Api;

/// <summary>A line of the coming term as the API takes it.</summary>
public sealed record AmendmentLineBody(string? ProductCode, int? Quantity, decimal? YearlyUnitPrice, decimal? DiscountPercent);

/// <summary>
/// An amendment as the API takes it: the coming term's whole set of lines, why, (an administrator's
/// key, after the deadline) the reason to override it, and optionally the coming term's length in
/// whole years (renewalYears: one of the lengths the subscription's renewal policy allows; 1 when absent).
/// </summary>
public sealed record AmendmentBody(IReadOnlyList<AmendmentLineBody>? Lines, string? Reason, string? DeadlineOverrideReason,
    [property: System.ComponentModel.Description("The coming term's length in whole years: one the subscription's renewal policy allows (1 unless an administrator allowed 2 or 3). Optional; 1 when absent. The renewal invoice bills the yearly price times these years.")]
    int? RenewalYears = null);

/// <summary>The customer's signed order that confirms an amendment.</summary>
public sealed record ConfirmationBody(string? SignedOrderReference);

/// <summary>
/// /api/v1/subscriptions/{id}/amendments: propose, list, read and confirm amendments of a
/// subscription's coming term, over <see cref="AmendmentService"/> with the key's actor (an
/// administrator's key, or a partner's for its own customers). Same conventions as the rest of
/// the API: problem details, Idempotency-Key on POST, ETag on reads and If-Match on confirm.
/// </summary>
public static class AmendmentEndpoints
{
    public static RouteGroupBuilder MapAmendmentApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var amendments = api.MapGroup("/subscriptions/{id:long}/amendments").WithTags("Amendments");
        amendments.MapGet("", async (long id, HttpContext http, AmendmentService service) =>
                Results.Ok(new ListPage<AmendmentView>(await service.ListAsync(Caller(http), id, http.RequestAborted), null)))
            .WithName("listAmendments").WithSummary("List the amendments of a subscription's coming terms")
            .Produces<ListPage<AmendmentView>>().ProducesProblem(StatusCodes.Status404NotFound);
        amendments.MapPost("", async (long id, HttpContext http, AmendmentService service) =>
            {
                var body = await ApiRequests.ReadAsync<AmendmentBody>(http.Request);
                var lines = (body.Lines ?? []).Select((l, i) => ApiRequests.Element(l, $"lines[{i}]")).Select((l, i) => new AmendLine(
                    ApiRequests.Required(l.ProductCode, $"lines[{i}].productCode"), ApiRequests.Required(l.Quantity, $"lines[{i}].quantity"),
                    l.YearlyUnitPrice, l.DiscountPercent ?? 0m)).ToList();
                var made = await service.ProposeAsync(Caller(http), id, new AmendmentRequest(lines, body.Reason, body.DeadlineOverrideReason, body.RenewalYears), http.RequestAborted);
                return Results.Created($"{ApiEndpoints.Prefix}/subscriptions/{id}/amendments/{made.Id}", made);
            })
            .WithName("proposeAmendment").WithSummary("Propose what the subscription's coming term will hold (supersedes the open amendment)")
            .Accepts<AmendmentBody>("application/json").Produces<AmendmentView>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        amendments.MapGet("/{aid:long}", async (long id, long aid, HttpContext http, AmendmentService service) =>
                Resource(http, await OfSubscriptionAsync(service, http, id, aid)))
            .WithName("getAmendment").WithSummary("Get an amendment")
            .Produces<AmendmentView>().ProducesProblem(StatusCodes.Status404NotFound);
        amendments.MapPost("/{aid:long}/confirm", async (long id, long aid, HttpContext http, AmendmentService service) =>
            {
                var current = await OfSubscriptionAsync(service, http, id, aid);
                if (PreconditionFailed(http, current) is { } failed)
                {
                    return failed;
                }

                var body = await ApiRequests.ReadAsync<ConfirmationBody>(http.Request);
                return Resource(http, await service.ConfirmBySignedOrderAsync(Caller(http), aid, body.SignedOrderReference, http.RequestAborted));
            })
            .WithName("confirmAmendment").WithSummary("Confirm an amendment with the customer's signed order (If-Match checked)")
            .Accepts<ConfirmationBody>("application/json").Produces<AmendmentView>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return api;
    }

    private static Core.Access.Actor Caller(HttpContext http) => ApiKeyAuthentication.Caller(http.User).Actor;

    /// <summary>The amendment, when it belongs to the subscription of the path and the key reaches it; else 404.</summary>
    private static async Task<AmendmentView> OfSubscriptionAsync(AmendmentService service, HttpContext http, long subscriptionId, long amendmentId)
    {
        var amendment = await service.GetAsync(Caller(http), amendmentId, http.RequestAborted);
        return amendment.SubscriptionId == subscriptionId ? amendment : throw new DomainException(DomainErrors.AmendmentUnknown, amendmentId);
    }

    private static IResult Resource<T>(HttpContext http, T value)
    {
        var etag = ApiEndpoints.ETagOf(http, value);
        http.Response.Headers.ETag = etag;
        return http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag))
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Ok(value);
    }

    private static IResult? PreconditionFailed<T>(HttpContext http, T current)
    {
        var ifMatch = http.Request.Headers.IfMatch;
        if (ifMatch.Count == 0)
        {
            return null;
        }

        var etag = ApiEndpoints.ETagOf(http, current);
        var tags = ifMatch.SelectMany(v => (v ?? "").Split(',')).Select(t => t.Trim()).ToList();
        if (tags.Contains("*") || tags.Contains(etag))
        {
            return null;
        }

        var text = http.RequestServices.GetRequiredService<IStringLocalizer<ApiText>>();
        http.Response.Headers.ETag = etag;
        return Results.Problem(string.Format(System.Globalization.CultureInfo.CurrentCulture, text["Detail.PreconditionFailed"].Value, string.Join(", ", tags), etag),
            statusCode: StatusCodes.Status412PreconditionFailed, title: text["Title.PreconditionFailed"]);
    }
}
