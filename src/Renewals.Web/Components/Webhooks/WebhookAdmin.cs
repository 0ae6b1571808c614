using NodaTime;
using Renewals.Web.Text;

namespace Renewals.Web.Components.Webhooks;

/// <summary>What the webhook pages share: instants written for people (who the admin is: AdminPage.AdminOf).</summary>
public static class WebhookAdmin
{
    /// <summary>"20 April 2027 at 10:00 UTC".</summary>
    public static string When(Instant at) => Words.DateTime(at.InUtc().LocalDateTime) + " UTC";
}
