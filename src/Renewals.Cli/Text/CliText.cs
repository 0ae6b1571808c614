using System.Globalization;
using System.Resources;

namespace Renewals.Cli.Text;

/// <summary>The command line's words in the chosen language (English or French).</summary>
internal sealed class CliText(CultureInfo culture)
{
    private static readonly ResourceManager Resources =
        new("Renewals.Cli.Text.CliStrings", typeof(CliText).Assembly);

    public CultureInfo Culture { get; } = culture;

    public string this[string key] =>
        Resources.GetString(key, Culture) ?? throw new InvalidOperationException($"No text for '{key}'.");

    public string Format(string key, params object[] arguments) =>
        string.Format(Culture, this[key], arguments);

    /// <summary>"error: …" in English, "erreur : …" in French.</summary>
    public string ErrorLine(string message) => Format("Error.Line", message);
}
