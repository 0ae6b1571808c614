using System.Globalization;
using NodaTime;
using Renewals.Web.Text;

namespace Renewals.Web.Components.AdminTemplates;

/// <summary>How the template pages write what they show, and the policy their preview frame needs.</summary>
public static class TemplateAdmins
{
    /// <summary>
    /// The site's policy, with inline styles: the preview frame (srcdoc, sandboxed, no script)
    /// inherits the page's policy, and an email's look is all inline styles. Scripts stay blocked.
    /// </summary>
    public static readonly string PreviewPagePolicy =
        Hosting.SecurityHeaders.ContentSecurityPolicy.Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);

    public static string EditPath(string language, string kind) =>
        string.Create(CultureInfo.InvariantCulture, $"/admin/templates/{language}/{kind}");
}
