using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;

namespace Renewals.Cli.Text;

/// <summary>
/// What System.CommandLine writes on its own (help pages and parse errors) made to read as the
/// rest of the command line does. Its French resources leave some words in English ("Show help
/// and usage information", "[default: …]", "(REQUIRED)") and several errors whole, quote with
/// '…' where French takes « … », and list the values a choice accepts over several lines; its
/// help builder is not public, so the page is corrected once written. An error is matched against
/// the library's own message formats, in the language it was written in, and worded again from
/// CliStrings; one no format matches is kept, on one line.
/// </summary>
internal static partial class CliHelp
{
    private static readonly ResourceManager Library =
        new("System.CommandLine.Properties.Resources", typeof(RootCommand).Assembly);

    /// <summary>The library's error formats this class words again, by resource name (ours: Parse.&lt;name&gt;).</summary>
    private static readonly string[] Reworded =
    [
        "UnrecognizedArgument",
        "UnrecognizedCommandOrArgument",
        "RequiredCommandWasNotProvided",
        "CommandRequiredArgumentMissing",
        "OptionRequiredArgumentMissing",
        "RequiredOptionWasNotProvided",
        "OptionExpectsOneArgument",
        "ArgumentConversionCannotParseForOption",
        "ArgumentConversionCannotParseForCommand",
        "ArgumentConversionCannotParse",
    ];

    /// <summary>The help page as written by the library, in the reader's language.</summary>
    public static string Page(string written, CliText text)
    {
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Culture.TwoLetterISOLanguageName != "fr")
        {
            return written;
        }

        var page = written
            .Replace(LibraryText("HelpOptionDescription", CultureInfo.InvariantCulture), text["Help.Option"], StringComparison.Ordinal)
            .Replace(LibraryText("HelpOptionsRequiredLabel", CultureInfo.InvariantCulture), text["Help.Required"], StringComparison.Ordinal)
            .Replace("[" + LibraryText("HelpArgumentDefaultValueLabel", CultureInfo.InvariantCulture) + ": ", "[" + text["Help.Default"] + "\u00A0: ", StringComparison.Ordinal)
            .Replace(LibraryText("HelpDescriptionTitle", CultureInfo.InvariantCulture), text["Help.Description"], StringComparison.Ordinal);
        return FrenchSpaces().Replace(page, "\u00A0$1");
    }

    /// <summary>One line saying what is wrong with the command line, in the reader's language.</summary>
    public static string Error(ParseResult parsed, CliText text)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(text);
        // A mistyped command also leaves the command "not provided": the word the user typed says more.
        var error = parsed.Errors.FirstOrDefault(e => Match("UnrecognizedCommandOrArgument", e.Message) is not null) ?? parsed.Errors[0];
        return Reword(error.Message, parsed, text);
    }

    /// <summary>One of the library's error messages, worded again when it was made from a format this class knows.</summary>
    internal static string Reword(string message, ParseResult parsed, CliText text)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(text);
        var help = string.Join(' ', Path(parsed.CommandResult)) + " --help";
        foreach (var key in Reworded)
        {
            if (Match(key, message) is not { } values)
            {
                continue;
            }

            if (key == "UnrecognizedArgument")
            {
                // The accepted values follow, one a line, each in quotes.
                values[1] = string.Join(", ", Quoted().Matches((string)values[1]).Select(m => m.Groups[1].Value));
            }

            return text.Format("Parse." + key, [.. values, help]);
        }

        var line = string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Culture.TwoLetterISOLanguageName == "fr" ? FrenchSpaces().Replace(Quoted().Replace(line, "«\u00A0$1\u00A0»"), "\u00A0$1") : line;
    }

    /// <summary>The values a library message was made with, when it was made from the format <paramref name="key"/>.</summary>
    private static object[]? Match(string key, string message)
    {
        var format = LibraryText(key, CultureInfo.CurrentUICulture);
        var pattern = Placeholder().Replace(Regex.Escape(format), m => $"(?<a{m.Groups[1].Value}>.*?)");
        var found = Regex.Match(message.Trim(), "^" + pattern + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (!found.Success)
        {
            return null;
        }

        var count = Placeholder().Matches(Regex.Escape(format)).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
        return [.. Enumerable.Range(0, count).Select(i => (object)found.Groups["a" + i.ToString(CultureInfo.InvariantCulture)].Value.Trim())];
    }

    private static string LibraryText(string key, CultureInfo culture) =>
        Library.GetString(key, culture) ?? throw new InvalidOperationException($"System.CommandLine has no text '{key}'.");

    /// <summary>The command's words, from the program's name: "renewals accounts show".</summary>
    private static List<string> Path(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is not null; result = result.Parent)
        {
            if (result is CommandResult c)
            {
                names.Add(c.Command is RootCommand ? "renewals" : c.Command.Name);
            }
        }

        names.Reverse();
        return names;
    }

    [GeneratedRegex(@"\\\{(\d+)\}")]
    private static partial Regex Placeholder();

    /// <summary>A value in quotes; an apostrophe inside a word (n'existe) opens nothing.</summary>
    [GeneratedRegex(@"(?<!\p{L})'([^'\r\n]*)'(?!\p{L})")]
    private static partial Regex Quoted();

    /// <summary>A plain space before : ; ! ? (French puts a no-break space there).</summary>
    [GeneratedRegex(@"(?<=\S) ([:;!?])(?=\s|$)", RegexOptions.Multiline)]
    private static partial Regex FrenchSpaces();
}
