namespace Renewals.Core.Newsletter;

/// <summary>A made-up issue in each language, to preview the newsletter's template.</summary>
public static class NewsletterSamples
{
    public static Dictionary<string, object?> Values(string language, string portalUrl)
    {
        var french = language == "fr";
        var markdown = french
            ? "## Les nouveautés de janvier\n\nLe module **Render Farm** calcule désormais vos images deux fois plus vite.\n\n- Une visite guidée le 21 janvier 2027\n- Un nouveau guide d'administration"
            : "## What's new in January\n\nThe **Render Farm** module now renders your images twice as fast.\n\n- A guided tour on 21 January 2027\n- A new administration guide";
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["issue_id"] = 1m,
            ["subject"] = french ? "Les nouveautés de janvier" : "What's new in January",
            ["body_html"] = NewsletterMarkdown.Html(markdown),
            ["body_text"] = NewsletterMarkdown.Text(markdown),
            ["unsubscribe_url"] = NewsletterLinks.Unsubscribe(portalUrl, "sample-token"),
        };
    }
}

/// <summary>The addresses a newsletter's reader follows without signing in.</summary>
public static class NewsletterLinks
{
    /// <summary>The path of the unsubscribe page and of the RFC 8058 one-click POST.</summary>
    public const string UnsubscribePath = "/newsletter/unsubscribe";

    public static string Unsubscribe(string portalUrl, string token)
    {
        ArgumentNullException.ThrowIfNull(portalUrl);
        return $"{portalUrl.TrimEnd('/')}{UnsubscribePath}/{Uri.EscapeDataString(token)}";
    }
}
