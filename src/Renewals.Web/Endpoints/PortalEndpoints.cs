using Renewals.Core.Licensing;
using Renewals.Core.Portal;
using Renewals.Data.Model;
using Renewals.Web.Hosting;

namespace Renewals.Web.Endpoints;

/// <summary>
/// The customer's downloads. Each checks, through the portal service, that what is asked for
/// belongs to the signed-in customer's account; anything else answers 404, as if it did not exist.
/// </summary>
public static class PortalEndpoints
{
    public const string MessageFramePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox";

    public static IEndpointRouteBuilder MapPortalEndpoints(this IEndpointRouteBuilder app)
    {
        var portal = app.MapGroup("/portal").RequireAuthorization(p => p.RequireRole(WebRoles.Customer));

        portal.MapGet("/invoices/{id:long}/pdf", async (long id, HttpContext http, PortalService service, CancellationToken ct) =>
            WebUserClaims.Customer(http.User) is { } customer && await service.InvoicePdfAsync(customer, id, ct) is { } file
                ? Results.File(file.Bytes, file.ContentType, file.FileName)
                : Results.NotFound());

        // By number (CN-yyyy-nnnnnn), as the invoices page lists credit notes; another account's answers 404.
        portal.MapGet("/credit-notes/{number}/pdf", async (string number, HttpContext http, PortalService service, CancellationToken ct) =>
            WebUserClaims.Customer(http.User) is { } customer && await service.CreditNotePdfAsync(customer, number, ct) is { } file
                ? Results.File(file.Bytes, file.ContentType, file.FileName)
                : Results.NotFound());

        portal.MapGet("/subscriptions/{id:long}/licence", async (long id, HttpContext http, PortalService service, CancellationToken ct) =>
        {
            if (WebUserClaims.Customer(http.User) is not { } customer)
            {
                return Results.NotFound();
            }

            try
            {
                var actor = "customer:" + (http.User.Identity?.Name ?? "?");
                return await service.LicenceAsync(customer, id, actor, ct) is { } file
                    ? Results.File(file.Bytes, file.ContentType, file.FileName)
                    : Results.NotFound();
            }
            catch (LicenceException)
            {
                // The term carries no rights (ended, or not started): there is no file to give.
                return Results.NotFound();
            }
        });

        // A message's HTML as it was sent, shown framed in the message centre: its own inline
        // styles are allowed, nothing else (no scripts, no outside images, sandboxed).
        portal.MapGet("/messages/{id:long}/html", async (long id, HttpContext http, PortalAccountService service, CancellationToken ct) =>
        {
            if (WebUserClaims.Customer(http.User) is not { } customer || await service.MessageAsync(customer, id, ct) is not { } message)
            {
                return Results.NotFound();
            }

            http.Response.Headers.ContentSecurityPolicy = MessageFramePolicy;
            http.Response.Headers.XFrameOptions = "SAMEORIGIN";
            return Results.Content(message.Html, "text/html; charset=utf-8");
        });

        portal.MapGet("/licence-signing-key.pub.pem", (PortalService service) =>
        {
            var key = service.PublicKey();
            return Results.File(key.Bytes, key.ContentType, key.FileName);
        });
        return app;
    }
}
