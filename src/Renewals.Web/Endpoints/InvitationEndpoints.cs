using Microsoft.AspNetCore.Antiforgery;
using Renewals.Data.Model;
using Renewals.Web.Hosting;

namespace Renewals.Web.Endpoints;

/// <summary>The contacts page's "invite to the web account" button.</summary>
public static class InvitationEndpoints
{
    public static IEndpointRouteBuilder MapInvitationEndpoints(this IEndpointRouteBuilder app)
    {
        // Only a contact of the signed-in customer's own account: any other id answers 404 and writes nothing.
        app.MapPost("/portal/contacts/{id:long}/invite", async (long id, HttpContext http, WebAccessService access, CancellationToken ct) =>
            {
                if (WebUserClaims.Customer(http.User) is not { } customer)
                {
                    return Results.NotFound();
                }

                try
                {
                    return await access.InviteContactAsync(customer.AccountId, id, ct) is null
                        ? Results.NotFound()
                        : Results.LocalRedirect("/portal/contacts?invited=true");
                }
                catch (InvalidOperationException)
                {
                    // Already has a sign-in (invited from another tab meanwhile): nothing more to send.
                    return Results.LocalRedirect("/portal/contacts");
                }
            })
            .RequireAuthorization(p => p.RequireRole(WebRoles.Customer))
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        return app;
    }
}
