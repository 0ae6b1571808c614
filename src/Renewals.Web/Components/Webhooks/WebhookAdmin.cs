using System.Security.Claims;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Data.Model;
using Renewals.Web.Text;

namespace Renewals.Web.Components.Webhooks;

/// <summary>What the webhook pages share: who the admin is, and instants written for people.</summary>
public static class WebhookAdmin
{
    /// <summary>The signed-in administrator; null for anyone else (the pages then answer 404).</summary>
    public static Actor.Admin? AdminOf(ClaimsPrincipal? user) =>
        user?.IsInRole(WebRoles.Admin) == true && user.Identity?.Name is { } name ? new Actor.Admin(name) : null;

    /// <summary>"20 April 2027 at 10:00 UTC".</summary>
    public static string When(Instant at) => Words.DateTime(at.InUtc().LocalDateTime) + " UTC";
}
