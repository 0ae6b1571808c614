using System.Globalization;
using System.Security.Claims;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Data.Model;
using Renewals.Web.Text;

namespace Renewals.Web.Components.AdminTemplates;

/// <summary>Who may edit message templates, and how the pages write what they show.</summary>
public static class TemplateAdmins
{
    /// <summary>The administrator a signed-in user is, named as they signed in; null for every other role.</summary>
    public static Actor.Admin? AdminOf(ClaimsPrincipal? user) =>
        user is not null && user.IsInRole(WebRoles.Admin) && user.Identity?.Name is { Length: > 0 } name
            ? new Actor.Admin(name)
            : null;

    /// <summary>
    /// The site's policy, with inline styles: the preview frame (srcdoc, sandboxed, no script)
    /// inherits the page's policy, and an email's look is all inline styles. Scripts stay blocked.
    /// </summary>
    public static readonly string PreviewPagePolicy =
        Hosting.SecurityHeaders.ContentSecurityPolicy.Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);

    /// <summary>An instant in UTC, in the page's language: the admins may sit in any time zone.</summary>
    public static string At(Instant at) => Words.DateTime(at.InUtc().LocalDateTime);

    public static string EditPath(string language, string kind) =>
        string.Create(CultureInfo.InvariantCulture, $"/admin/templates/{language}/{kind}");
}
