using System.Globalization;

namespace Renewals.Cli.Text;

/// <summary>The languages the product speaks, and how the command line picks one.</summary>
internal static class Languages
{
    public static readonly IReadOnlyList<string> Supported = ["en", "fr"];

    public const string Option = "--lang";

    /// <summary>
    /// Finds <c>--lang</c> before parsing, so that parse errors are already in the chosen
    /// language. Returns null when the value is not a supported language.
    /// </summary>
    public static CultureInfo? Detect(IReadOnlyList<string> args, out string? rejected)
    {
        rejected = null;
        var value = "en";
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == Option && i + 1 < args.Count)
            {
                value = args[i + 1];
            }
            else if (args[i].StartsWith(Option + "=", StringComparison.Ordinal) || args[i].StartsWith(Option + ":", StringComparison.Ordinal))
            {
                value = args[i][(Option.Length + 1)..];
            }
        }

        if (!Supported.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            rejected = value;
            return null;
        }

        return CultureInfo.GetCultureInfo(value.ToLowerInvariant());
    }
}
