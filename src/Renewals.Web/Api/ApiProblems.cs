using System.Globalization;
using Microsoft.Extensions.Localization;
using Renewals.Domain;
using Renewals.Web.Text;

namespace Renewals.Web.Api;

/// <summary>A request the API refuses before any service sees it: which field, and why (a key of ApiText and its arguments).</summary>
public sealed class ApiBadRequestException(string field, string reasonKey, params object[] arguments) : Exception($"{field}: {reasonKey}")
{
    public string Field { get; } = field;

    public string ReasonKey { get; } = reasonKey;

    public IReadOnlyList<object> Arguments { get; } = arguments;
}

/// <summary>Names the request field each domain error is about, for one endpoint (query parameters differ from bodies).</summary>
public sealed record ApiFields(IReadOnlyDictionary<string, string> ByCode);

/// <summary>
/// Every API error as RFC 9457 problem details, in the caller's language (Accept-Language):
/// a refused field is named in <c>errors</c> with the domain's own reason; a resource the key
/// may not see is 404, as if it did not exist.
/// </summary>
public static class ApiProblems
{
    /// <summary>Where each domain error points in the bodies, unless the endpoint says otherwise.</summary>
    public static readonly IReadOnlyDictionary<string, string> BodyFields = new Dictionary<string, string>
    {
        [DomainErrors.AccountNameRequired] = "name",
        [DomainErrors.LanguageUnknown] = "language",
        [DomainErrors.TimeZoneUnknown] = "timeZone",
        [DomainErrors.VatRate] = "vatRate",
        [DomainErrors.VatNumberInvalid] = "vatNumber",
        [DomainErrors.BillingAddressInvalid] = "billingAddress",
        [DomainErrors.BillingAddressRequired] = "billingAddress",
        [DomainErrors.ContactsRequired] = "contacts",
        [DomainErrors.ContactRoleTaken] = "contacts",
        [DomainErrors.ContactNameRequired] = "contacts",
        [DomainErrors.ContactEmailInvalid] = "contacts",
        [DomainErrors.AdvisorUnknown] = "advisorId",
        [DomainErrors.PartnerUnknown] = "partnerId",
        [DomainErrors.InitialTermYears] = "initialTermYears",
        [DomainErrors.SaleStartInPast] = "start",
        [DomainErrors.PolicyUnknown] = "policyId",
        [DomainErrors.PartnerContractUnknown] = "partnerContractId",
        [DomainErrors.LinesRequired] = "lines",
        [DomainErrors.LineProductRepeated] = "lines",
        [DomainErrors.LinesCurrencyMixed] = "lines",
        [DomainErrors.LineQuantity] = "lines",
        [DomainErrors.LinePrice] = "lines",
        [DomainErrors.LinePriceMissing] = "lines",
        [DomainErrors.LineCurrency] = "lines",
        [DomainErrors.ProductUnknown] = "lines",
        [DomainErrors.NoticeSignerRequired] = "signedBy",
        [DomainErrors.NoticeDocumentHash] = "documentSha256",
        [DomainErrors.NoticeChannelUnknown] = "channel",
        [DomainErrors.NoticeFilerUnknown] = "filedBy",
        [DomainErrors.NoticeMustComeFromPartner] = "filedBy",
        [DomainErrors.NoticeFromPartnerOnDirectSubscription] = "filedBy",
        [DomainErrors.NoticeInFuture] = "receivedAt",
        [DomainErrors.NoticeBeforeStart] = "receivedAt",
        [DomainErrors.NoticeBeforeCurrentTerm] = "receivedAt",
        [DomainErrors.PurchaseOrderNumber] = "number",
        [DomainErrors.PurchaseOrderDuplicate] = "number",
        [DomainErrors.PurchaseOrderAmount] = "amount",
        [DomainErrors.PurchaseOrderPeriod] = "validUntil",
        [DomainErrors.SubscriptionOfAnotherAccount] = "subscriptionId",
        [DomainErrors.AmendmentReasonRequired] = "reason",
        [DomainErrors.AmendmentLinesRequired] = "lines",
        [DomainErrors.AmendmentDiscount] = "lines",
        [DomainErrors.AmendmentOverrideAdministratorsOnly] = "deadlineOverrideReason",
        [DomainErrors.AmendmentSignedOrderRequired] = "signedOrderReference",
        [DomainErrors.AmendmentRenewalYears] = "renewalYears",
    };

    /// <summary>Errors about the state a resource is in, not about the request: 409.</summary>
    private static readonly HashSet<string> StateConflicts =
    [
        DomainErrors.SubscriptionAlreadyEnding, DomainErrors.SubscriptionAlreadyEnded, DomainErrors.AlreadyWithdrawn,
        DomainErrors.WithdrawalAfterEffect, DomainErrors.WithdrawalBeforeNotice,
        DomainErrors.AmendmentAfterDeadline, DomainErrors.AmendmentTermStarted, DomainErrors.AmendmentNotOpen,
        DomainErrors.AmendmentAlreadyConfirmed, DomainErrors.AmendmentSubscriptionNotRenewing,
        DomainErrors.PaymentAlreadyReversed,
    ];

    /// <summary>Errors that mean "no such resource" when the id came from the path.</summary>
    private static readonly HashSet<string> Unknown =
    [
        DomainErrors.AccountUnknown, DomainErrors.SubscriptionUnknown, DomainErrors.NoticeUnknown, DomainErrors.ContactUnknown,
        DomainErrors.AdvisorTaskUnknown, DomainErrors.ReissueInvoiceUnknown,
        DomainErrors.AmendmentUnknown, DomainErrors.PaymentUnknown,
    ];

    public static Task WriteAsync(HttpContext http, int status, string title, string? detail, IDictionary<string, string[]>? errors = null, string? code = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var extensions = new Dictionary<string, object?>();
        if (code is not null)
        {
            extensions["code"] = code;
        }

        var result = errors is null
            ? Results.Problem(detail, statusCode: status, title: title, extensions: extensions)
            : Results.ValidationProblem(errors, detail, statusCode: status, title: title, extensions: extensions);
        return result.ExecuteAsync(http);
    }

    /// <summary>The problem a refused request gets: 400 with the field, 404 for what the key cannot see, 409 for a state that forbids it.</summary>
    public static IResult For(HttpContext http, Exception error)
    {
        ArgumentNullException.ThrowIfNull(http);
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<ApiText>>();
        var culture = CultureInfo.CurrentUICulture;
        switch (error)
        {
            case ApiBadRequestException bad:
                var reason = string.Format(CultureInfo.CurrentCulture, text[bad.ReasonKey].Value, [.. bad.Arguments]);
                return Results.ValidationProblem(new Dictionary<string, string[]> { [bad.Field] = [reason] }, reason, title: text["Title.BadRequest"]);
            case DomainException domain:
                var described = domain.Describe(culture);
                var extensions = new Dictionary<string, object?> { ["code"] = domain.Code };
                var fields = http.GetEndpoint()?.Metadata.GetMetadata<ApiFields>()?.ByCode;
                if (fields?.GetValueOrDefault(domain.Code) is { } queryField)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { [queryField] = [described] }, described, title: text["Title.BadRequest"], extensions: extensions);
                }

                // An id of the path that names nothing this key may see; an id in a body is a bad field.
                if (Unknown.Contains(domain.Code) && domain.Arguments.Count > 0 && IsPathId(http, domain.Arguments[0]))
                {
                    return Results.Problem(described, statusCode: StatusCodes.Status404NotFound, title: text["Title.NotFound"], extensions: extensions);
                }

                if (StateConflicts.Contains(domain.Code))
                {
                    return Results.Problem(described, statusCode: StatusCodes.Status409Conflict, title: text["Title.Conflict"], extensions: extensions);
                }

                var field = BodyFields.GetValueOrDefault(domain.Code)
                    ?? (domain.Code == DomainErrors.AccountUnknown ? "accountId" : domain.Code == DomainErrors.SubscriptionUnknown ? "subscriptionId" : "body");
                return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [described] }, described, title: text["Title.BadRequest"], extensions: extensions);
            default:
                throw error;
        }
    }

    private static bool IsPathId(HttpContext http, object argument) =>
        http.Request.RouteValues.Values.Any(v => string.Equals(Convert.ToString(v, CultureInfo.InvariantCulture), Convert.ToString(argument, CultureInfo.InvariantCulture), StringComparison.Ordinal));

    /// <summary>Turns refused requests into problem details for every endpoint of the group.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is ApiBadRequestException or DomainException)
        {
            return For(context.HttpContext, e);
        }
    }
}
