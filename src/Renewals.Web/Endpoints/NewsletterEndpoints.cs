using Renewals.Core.Newsletter;

namespace Renewals.Web.Endpoints;

/// <summary>
/// The newsletter's unsubscribe address answers POST without sign-in, cookies or antiforgery
/// token: a mail client's RFC 8058 one-click POST (body <c>List-Unsubscribe=One-Click</c>) and
/// the button of the page the link opens. The random token in the address is the key; an
/// unknown one answers 404. GET is the page (Components/Newsletter/Unsubscribe.razor).
/// </summary>
public static class NewsletterEndpoints
{
    public static IEndpointRouteBuilder MapNewsletterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(NewsletterLinks.UnsubscribePath + "/{token}", async (string token, HttpContext http, NewsletterConsentService consents, CancellationToken ct) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
            // Our page's button says so; any other POST to the address is a mail client's one-click.
            var fromPage = form is not null && string.Equals(form["source"], "page", StringComparison.Ordinal);
            if (!await consents.UnsubscribeAsync(token, fromPage ? ConsentSources.UnsubscribeLink : ConsentSources.OneClick, ct))
            {
                // With a body: the status pages would run the not-found page again as a POST, which forms refuse (400).
                return Results.Text("No such unsubscribe address.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
            }

            http.Response.Headers.CacheControl = "no-store";
            if (fromPage)
            {
                // Back to the page, which now says the address has left (POST, then GET).
                http.Response.Headers.Location = NewsletterLinks.UnsubscribePath + "/" + Uri.EscapeDataString(token) + http.Request.QueryString;
                return Results.StatusCode(StatusCodes.Status303SeeOther);
            }

            return Results.Text("Unsubscribed: this address no longer receives the newsletter.\nDésabonné\u00A0: cette adresse ne reçoit plus la lettre.\n", "text/plain; charset=utf-8");
        })
            .AllowAnonymous()
            .DisableAntiforgery()
            // Before the page's endpoint, which also takes POST (Blazor forms) at the same address.
            .WithOrder(-1);
        return app;
    }
}
