using System.Net;
using System.Text.RegularExpressions;
using FsCheck;
using Renewals.Testing;

namespace Renewals.Web.Tests;

/// <summary>What the web's generated bad input adds to the shared <see cref="Fuzzing"/>: text a browser can send, refusals read from pages.</summary>
internal static partial class Fuzz
{
    /// <summary>The shared nasty text, and a sign-in form's favourite (the browser-side inputs get <see cref="Sendable"/>).</summary>
    public static Gen<string> NastyText { get; } = Fuzzing.NastyText("Robert'); DROP TABLE accounts;--");

    /// <summary>
    /// The words of our French texts that none of our English texts uses (four letters or more),
    /// read from every resource file of the repository: a French refusal uses some of them.
    /// </summary>
    private static readonly Lazy<HashSet<string>> FrenchWords = new(() =>
    {
        var files = Directory.EnumerateFiles(Path.Combine(WebApp.RepositoryRoot(), "src"), "*.resx", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal)).ToList();
        HashSet<string> WordsOf(IEnumerable<string> resx) => [.. resx.SelectMany(f => System.Xml.Linq.XDocument.Load(f).Descendants("value").Select(v => v.Value))
            .SelectMany(Words).Where(w => w.Length >= 4)];
        var french = WordsOf(files.Where(f => f.EndsWith(".fr.resx", StringComparison.Ordinal)));
        french.ExceptWith(WordsOf(files.Where(f => !f.EndsWith(".fr.resx", StringComparison.Ordinal))));
        return french;
    });

    private static IEnumerable<string> Words(string text) => System.Text.RegularExpressions.Regex.Split(text, @"[^\p{L}]+").Select(w => w.ToLowerInvariant());

    /// <summary>A refusal worded in each language: not empty, not the same, the French one in French.</summary>
    public static void InBothLanguages(string english, string french, string said)
    {
        Assert.False(string.IsNullOrWhiteSpace(english), "no English reason: " + said);
        Assert.False(string.IsNullOrWhiteSpace(french), "no French reason: " + said);
        Assert.True(english != french, $"the same in both languages: {Show(english)} ({said})");
        Assert.True(Words(french).Any(FrenchWords.Value.Contains), $"not French: {Show(french)} ({said})");
    }

    /// <summary>
    /// The text with lone surrogates replaced: no browser can send them (they are not UTF-8).
    /// Control characters are sent as they are: a null character makes the form unreadable to the
    /// framework, which answers the page of <see cref="UnreadableForm"/> (400); the others reach the
    /// page's own checks.
    /// </summary>
    public static string Sendable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    /// <summary>The words of the page a form the framework cannot read answers (400), by language, written out by hand.</summary>
    public static IReadOnlyDictionary<string, string> UnreadableForm { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["en"] = "The form held characters that cannot be accepted",
        ["fr"] = "Le formulaire contenait des caractères qui ne peuvent pas être acceptés",
    };

    public static string Show(string text) => text.Length > 80 ? $"{text[..80]}... ({text.Length} chars)" : text;

    public static string Show<T>(IEnumerable<FuzzStep<T>> steps) => string.Join("; ", steps);

    /// <summary>The antiforgery token a Blazor form carries in <paramref name="html"/>.</summary>
    public static string Token(string html, string said)
    {
        var token = TokenInput().Match(html);
        Assert.True(token.Success, "no antiforgery token on " + said);
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    /// <summary>The text of the page's error paragraph, or null when it has none.</summary>
    public static string? ErrorOf(string html)
    {
        var error = ErrorParagraph().Match(html);
        return error.Success ? WebUtility.HtmlDecode(Tags().Replace(error.Groups[1].Value, "")).Trim() : null;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();

    [GeneratedRegex("<p class=\"error\"[^>]*>(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex ErrorParagraph();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
