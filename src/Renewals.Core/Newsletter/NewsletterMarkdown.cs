using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using Markdig;

namespace Renewals.Core.Newsletter;

/// <summary>
/// An issue's Markdown as mail parts: HTML that can run nothing (Markdig, then HtmlSanitizer
/// strips scripts, event handlers and javascript: links) and plain text read from that same
/// sanitized HTML, so nothing the HTML dropped comes back in the text part.
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

    /// <summary>The issue as plain text, for the text part of the message: paragraphs, "- " list items, links followed by their address.</summary>
    public static string Text(string markdown)
    {
        var document = new HtmlParser().ParseDocument("<!DOCTYPE html><html><body>" + Html(markdown) + "</body></html>");
        var text = new StringBuilder();
        Write(document.Body!, text);
        var lines = text.ToString().Split('\n').Select(l => l.Trim());
        var joined = string.Join("\n", lines);
        while (joined.Contains("\n\n\n", StringComparison.Ordinal))
        {
            joined = joined.Replace("\n\n\n", "\n\n", StringComparison.Ordinal);
        }

        return joined.Trim();
    }

    private static void Write(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText words)
            {
                text.Append(string.Join(' ', words.Data.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) is { Length: > 0 } w
                    ? (char.IsWhiteSpace(words.Data[0]) ? " " : "") + w + (char.IsWhiteSpace(words.Data[^1]) ? " " : "")
                    : words.Data.Length > 0 ? " " : "");
                continue;
            }

            if (child is not IElement element)
            {
                continue;
            }

            switch (element.LocalName)
            {
                case "br":
                    text.Append('\n');
                    continue;
                case "pre":
                    text.Append('\n').Append(element.TextContent.TrimEnd()).Append("\n\n");
                    continue;
                case "li":
                    text.Append("- ");
                    break;
            }

            Write(element, text);
            if (element.LocalName == "a" && element.GetAttribute("href") is { Length: > 0 } href && href != element.TextContent.Trim())
            {
                text.Append(" (").Append(href).Append(')');
            }

            text.Append(element.LocalName switch
            {
                "p" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "blockquote" or "ul" or "ol" or "table" or "hr" => "\n\n",
                "li" or "tr" => "\n",
                "td" or "th" => " ",
                _ => "",
            });
        }
    }
}
