using Ganss.Xss;
using Markdig;

namespace Renewals.Core.Newsletter;

/// <summary>
/// An issue's Markdown as mail parts: HTML that can run nothing (Markdig, then HtmlSanitizer
/// strips scripts, event handlers and javascript: links) and plain text for the text part.
/// </summary>
public static class NewsletterMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseEmphasisExtras()
        .UsePipeTables()
        .UseAutoLinks()
        .Build();

    /// <summary>The issue as sanitized HTML: what reaches the reader and the preview frame.</summary>
    public static string Html(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        // A new sanitizer each time: its settings are mutable and it is cheap next to a send.
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Add("mailto");
        return sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline)).Trim();
    }

    /// <summary>The issue as plain text, for the text part of the message.</summary>
    public static string Text(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        return Markdown.ToPlainText(markdown, Pipeline).Trim();
    }
}
