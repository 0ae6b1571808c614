using Renewals.Core.Payments;
using Renewals.Domain;

namespace Renewals.Web.Api;

/// <summary>A payment as an ERP posts it: the day received, the amount, its currency, the bank reference, the invoices it pays in order.</summary>
public sealed record PaymentBody(string? ReceivedOn, decimal? Amount, string? Currency, string? Reference, IReadOnlyList<string>? Invoices);

/// <summary>Why a payment is reversed (a bounced transfer).</summary>
public sealed record ReversalBody(string? Reason);

/// <summary>/api/v1/payments: payments recorded by the vendor's ERP, with an administrator's key only.</summary>
public static class PaymentEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var payments = api.MapGroup("/payments").WithTags("Payments");
        payments.MapPost("", async (HttpContext http, PaymentService service) =>
            {
                var caller = ApiKeyAuthentication.Caller(http.User).Actor;
                if (!caller.SeesEverything)
                {
                    // A key bound to an advisor or a partner reaches its own accounts, never the vendor's books.
                    return Results.Problem(DomainText(DomainErrors.FinanceOnly), statusCode: StatusCodes.Status403Forbidden);
                }

                var body = await ApiRequests.ReadAsync<PaymentBody>(http.Request);
                var amount = body.Amount?.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var payment = await service.RecordAsync(caller, new PaymentInput(body.ReceivedOn, amount, body.Currency, body.Reference, body.Invoices ?? []),
                    Renewals.Data.Model.PaymentSources.Api, http.RequestAborted);
                return Results.Created($"{ApiEndpoints.Prefix}/payments/{payment.Id}", payment);
            })
            .WithName("recordPayment").WithSummary("Record a payment and allocate it to the invoices it pays, in order (administrator key)")
            .WithMetadata(new ApiFields(new Dictionary<string, string>
            {
                [DomainErrors.PaymentDate] = "receivedOn",
                [DomainErrors.PaymentDateInFuture] = "receivedOn",
                [DomainErrors.PaymentAmount] = "amount",
                [DomainErrors.PaymentExceedsBalance] = "amount",
                [DomainErrors.PaymentCurrency] = "currency",
                [DomainErrors.PaymentCurrencyMismatch] = "currency",
                [DomainErrors.PaymentReference] = "reference",
                [DomainErrors.PaymentInvoicesRequired] = "invoices",
                [DomainErrors.InvoiceUnknown] = "invoices",
                [DomainErrors.InvoiceNothingOwed] = "invoices",
            }))
            .Accepts<PaymentBody>("application/json").Produces<PaymentView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        payments.MapPost("/{id:long}/reversal", async (long id, HttpContext http, PaymentService service) =>
            {
                var caller = ApiKeyAuthentication.Caller(http.User).Actor;
                if (!caller.SeesEverything)
                {
                    return Results.Problem(DomainText(DomainErrors.FinanceOnly), statusCode: StatusCodes.Status403Forbidden);
                }

                var body = await ApiRequests.ReadAsync<ReversalBody>(http.Request);
                return Results.Ok(await service.ReverseAsync(caller, id, body.Reason, http.RequestAborted));
            })
            .WithName("reversePayment").WithSummary("Reverse a payment that bounced, with the reason: the invoices it paid owe again (administrator key)")
            .WithMetadata(new ApiFields(new Dictionary<string, string>
            {
                [DomainErrors.ReversalReasonRequired] = "reason",
            }))
            .Accepts<ReversalBody>("application/json").Produces<PaymentView>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static string DomainText(string code) => Renewals.Domain.Text.DomainText.Get(code, System.Globalization.CultureInfo.CurrentUICulture);
}
