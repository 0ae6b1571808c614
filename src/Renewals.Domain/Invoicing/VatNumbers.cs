using System.Text.RegularExpressions;

namespace Renewals.Domain.Invoicing;

/// <summary>
/// Whether a VAT number is shaped as its country writes it: the VIES prefix (EL for Greece,
/// XI for Northern Ireland; GB as well, for British buyers) then that country's body, digits
/// and letters of the right length (the shapes the EU's VIES service documents). A shape
/// only: whether the number is registered is for VIES to say, not for us to guess offline.
/// </summary>
public static partial class VatNumbers
{
    private static readonly Dictionary<string, Regex> Bodies = new(StringComparer.Ordinal)
    {
        ["AT"] = Body(@"U\d{8}"),
        ["BE"] = Body(@"[01]\d{9}"),
        ["BG"] = Body(@"\d{9,10}"),
        ["CY"] = Body(@"\d{8}[A-Z]"),
        ["CZ"] = Body(@"\d{8,10}"),
        ["DE"] = Body(@"\d{9}"),
        ["DK"] = Body(@"\d{8}"),
        ["EE"] = Body(@"\d{9}"),
        ["EL"] = Body(@"\d{9}"),
        ["ES"] = Body(@"[A-Z0-9]\d{7}[A-Z0-9]"),
        ["FI"] = Body(@"\d{8}"),
        ["FR"] = Body(@"[A-HJ-NP-Z0-9]{2}\d{9}"),
        ["HR"] = Body(@"\d{11}"),
        ["HU"] = Body(@"\d{8}"),
        ["IE"] = Body(@"\d[A-Z0-9+*]\d{5}[A-Z]{1,2}"),
        ["IT"] = Body(@"\d{11}"),
        ["LT"] = Body(@"\d{9}|\d{12}"),
        ["LU"] = Body(@"\d{8}"),
        ["LV"] = Body(@"\d{11}"),
        ["MT"] = Body(@"\d{8}"),
        ["NL"] = Body(@"\d{9}B\d{2}"),
        ["PL"] = Body(@"\d{10}"),
        ["PT"] = Body(@"\d{9}"),
        ["RO"] = Body(@"\d{2,10}"),
        ["SE"] = Body(@"\d{10}01"),
        ["SI"] = Body(@"\d{8}"),
        ["SK"] = Body(@"\d{10}"),
        ["XI"] = Body(@"\d{9}|\d{12}|GD\d{3}|HA\d{3}"),
        ["GB"] = Body(@"\d{9}|\d{12}|GD\d{3}|HA\d{3}"),
    };

    /// <summary>Whether <paramref name="compact"/> (capitals, no spaces or dots) has a known prefix and that country's shape.</summary>
    public static bool IsWellFormed(string compact) =>
        compact.Length > 2 && Bodies.TryGetValue(compact[..2], out var body) && body.IsMatch(compact[2..]);

    private static Regex Body(string pattern) => new($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
