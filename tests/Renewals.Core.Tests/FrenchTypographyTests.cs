using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NodaTime;
using Renewals.Core.Messaging;

namespace Renewals.Core.Tests;

/// <summary>
/// French typography in every French text a customer or operator reads: every kind of
/// message rendered with sample data (direct and partner customers, on the usual day and on
/// days around the deadline), and the command line's French strings.
/// </summary>
public sealed partial class FrenchTypographyTests
{
    private static readonly MessageRenderer Renderer = new(TemplateLibrary.FromSetting(null));

    public static TheoryData<string> Kinds => [.. TemplateLibrary.Kinds];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_french_message_is_written_the_french_way(string kind)
    {
        var breaches = new List<string>();
        foreach (var (label, model) in Variants(kind))
        {
            var message = await Renderer.RenderAsync(kind, "fr", model);
            breaches.AddRange(FrenchTypography.Breaches(message.Subject).Select(b => $"{label}, subject: {b}"));
            breaches.AddRange(FrenchTypography.Breaches(message.Text).Select(b => $"{label}, text: {b}"));
            breaches.AddRange(FrenchTypography.Breaches(FrenchTypography.VisibleText(message.Html)).Select(b => $"{label}, html: {b}"));
        }

        Assert.Empty(breaches);
    }

    /// <summary>The command line's own words, and the domain's (reasons of key dates, errors) that it prints.</summary>
    [Theory]
    [InlineData("src/Renewals.Cli/Text/CliStrings.fr.resx")]
    [InlineData("src/Renewals.Domain/Text/DomainStrings.fr.resx")]
    [InlineData("src/Renewals.Core/Licensing/LicenceStrings.fr.resx")]
    [InlineData("src/Renewals.Core/Invoicing/InvoiceStrings.fr.resx")]
    [InlineData("src/Renewals.Core/Engagement/MeetingStrings.fr.resx")]
    [InlineData("src/Renewals.Core/Import/ImportStrings.fr.resx")]
    [InlineData("src/Renewals.Web/Text/AdminText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/TemplateAdminText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/WorkspaceText.fr.resx")]
    [InlineData("src/Renewals.Core/CalendarFeeds/FeedStrings.fr.resx")]
    [InlineData("src/Renewals.Web/Text/HooksText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/ApiText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/CallbackText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/FeedbackText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/NewsletterText.fr.resx")]
    [InlineData("src/Renewals.Core/Conferences/ConferenceStrings.fr.resx")]
    [InlineData("src/Renewals.Web/Text/ConferenceText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/PaymentsText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/AmendmentText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/FormText.fr.resx")]
    [InlineData("src/Renewals.Web/Text/PagingText.fr.resx")]
    public void Every_french_string_of_the_command_line_is_written_the_french_way(string resources)
    {
        var file = Path.Combine([RepositoryRoot(), .. resources.Split('/')]);
        var breaches = XDocument.Load(file).Root!.Elements("data")
            .SelectMany(d => FrenchTypography.Breaches(d.Element("value")?.Value ?? "").Select(b => $"{d.Attribute("name")!.Value}: {b}"))
            .ToList();

        Assert.Empty(breaches);
    }

    /// <summary>The checker itself, on texts whose breaches are known.</summary>
    [Theory]
    [InlineData("Total : 12 €", 1)]
    [InlineData("Total\u00A0: 12\u00A0€", 0)]
    [InlineData("Début: 15 janvier", 1)]
    [InlineData("« Intégra »", 2)]
    [InlineData("«\u00A0Intégra\u00A0»", 0)]
    [InlineData("l'abonnement de Intégra", 1)]
    [InlineData("l'abonnement d'Intégra", 0)]
    [InlineData("vos licence(s)", 1)]
    [InlineData("le 2030-01-15", 1)]
    [InlineData("à 10:00, voir http://localhost:5000/x?y", 0)]
    [InlineData("Vraiment ?", 1)]
    [InlineData("--line attend CODE:QUANTITÉ, par exemple DSN-PRO:10", 0)]
    [InlineData("Début:15 janvier ; fin :", 2)]
    public void The_checker_finds_what_it_should(string text, int expected)
    {
        Assert.Equal(expected, FrenchTypography.Breaches(text).Count);
    }

    private static IEnumerable<(string Label, Dictionary<string, object?> Model)> Variants(string kind)
    {
        var usual = MessageSamples.UsualDay(kind);
        yield return ("direct", MessageSamples.Model(kind, "fr"));
        yield return ("partner", MessageSamples.Model(kind, "fr", partner: true));
        yield return ("partner only", MessageSamples.Model(kind, "fr", partnerOnly: true));
        foreach (var shift in new[] { -30, 1, 60, 1100 })
        {
            yield return ($"{shift} days later", MessageSamples.Model(kind, "fr", today: usual.PlusDays(shift), partnerOnly: shift > 0));
        }

        if (kind == MessageKinds.Invoice)
        {
            var copy = MessageSamples.Model(kind, "fr");
            copy["copy"] = true;
            copy["sent_to"] = new Dictionary<string, object?> { ["name"] = "Élodie Bernard", ["email"] = "elodie.bernard@exemple.fr" };
            yield return ("copy", copy);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Renewals.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Renewals.slnx not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The rules of French typography a text must follow, as a list of what breaks them.</summary>
public static partial class FrenchTypography
{
    public static IReadOnlyList<string> Breaches(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var breaches = new List<string>();
        // Addresses follow their own syntax, not French typography.
        text = Addresses().Replace(text, "adresse");
        foreach (Match m in HighPunctuation().Matches(text))
        {
            var before = m.Index > 0 ? text[m.Index - 1] : '\u00A0';
            var after = m.Index + 1 < text.Length ? text[m.Index + 1] : ' ';
            // Inside a token (10:00, CODE:QUANTITÉ) the sign is syntax, not punctuation of a sentence.
            var isSyntax = !char.IsWhiteSpace(before) && !char.IsWhiteSpace(after) && m.Index + 1 < text.Length;
            if (!isSyntax && before is not ('\u00A0' or '\u202F'))
            {
                breaches.Add($"no no-break space before '{m.Value}' in \"{Around(text, m.Index)}\"");
            }
        }

        foreach (Match m in OpeningQuote().Matches(text))
        {
            breaches.Add($"no no-break space after '«' in \"{Around(text, m.Index)}\"");
        }

        foreach (Match m in ClosingQuote().Matches(text))
        {
            breaches.Add($"no no-break space before '»' in \"{Around(text, m.Index)}\"");
        }

        foreach (Match m in MissingElision().Matches(text))
        {
            breaches.Add($"no elision in \"{Around(text, m.Index)}\"");
        }

        foreach (Match m in ParenthesisPlural().Matches(text))
        {
            breaches.Add($"a \"(s)\" plural in \"{Around(text, m.Index)}\"");
        }

        foreach (Match m in IsoDate().Matches(text))
        {
            breaches.Add($"an ISO date in \"{Around(text, m.Index)}\"");
        }

        return breaches;
    }

    /// <summary>What a reader of an HTML part sees: no tags, no style, entities decoded.</summary>
    public static string VisibleText(string html) =>
        WebUtility.HtmlDecode(Tags().Replace(Styles().Replace(html, " "), " "));

    private static string Around(string text, int index)
    {
        var from = Math.Max(0, index - 30);
        return text[from..Math.Min(text.Length, index + 30)].ReplaceLineEndings(" ");
    }

    [GeneratedRegex(@"\b(?:https?://|mailto:)\S+")]
    private static partial Regex Addresses();

    [GeneratedRegex("[:;!?]")]
    private static partial Regex HighPunctuation();

    [GeneratedRegex("«(?![\u00A0\u202F])")]
    private static partial Regex OpeningQuote();

    [GeneratedRegex("(?<![\u00A0\u202F])»")]
    private static partial Regex ClosingQuote();

    [GeneratedRegex(@"\b(?:[Dd]e|[Qq]ue|[Ll]e|[Jj]e) (?=[AEIOUYÉÈÊÀÂÎÔÛaeiouyéèêàâîôû])")]
    private static partial Regex MissingElision();

    [GeneratedRegex(@"\w\(s\)")]
    private static partial Regex ParenthesisPlural();

    // A date in quotes is a literal to type (an example of the command line's syntax), not prose.
    [GeneratedRegex(@"(?<!«[\u00A0\u202F])\b\d{4}-\d{2}-\d{2}\b")]
    private static partial Regex IsoDate();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex("<style[^>]*>.*?</style>", RegexOptions.Singleline)]
    private static partial Regex Styles();
}
