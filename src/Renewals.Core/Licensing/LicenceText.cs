using System.Globalization;
using System.Resources;
using NodaTime;
using Renewals.Domain.Text;

namespace Renewals.Core.Licensing;

/// <summary>The licence feature's words for people, in English (neutral) and French.</summary>
internal static class LicenceText
{
    private static readonly ResourceManager Resources =
        new("Renewals.Core.Licensing.LicenceStrings", typeof(LicenceText).Assembly);

    public static string Get(string key, CultureInfo culture) =>
        Resources.GetString(key, culture) ?? throw new InvalidOperationException($"No text for '{key}'.");

    /// <summary>Formats a text; dates are written the way the language writes them.</summary>
    public static string Format(string key, CultureInfo culture, params object[] arguments) =>
        string.Format(culture, Get(key, culture), [.. arguments.Select(a => a is LocalDate date ? DomainText.LongDate(date, culture) : a)]);
}

/// <summary>
/// A licence could not be issued, or a key could not be used. <see cref="Code"/> names the
/// problem; <see cref="Describe"/> says it in the user's language.
/// </summary>
public sealed class LicenceException : Exception
{
    public const string NoSuchTerm = "Issue.NoSuchTerm";
    public const string NoEntitlements = "Issue.NoEntitlements";
    public const string KeyUnreadable = "Key.Unreadable";
    public const string KeyNotPrivate = "Key.NotPrivate";
    public const string KeyWrongCurve = "Key.WrongCurve";

    public LicenceException(string code, params object[] arguments)
        : base(LicenceText.Format(code, CultureInfo.InvariantCulture, arguments))
    {
        Code = code;
        Arguments = arguments;
    }

    public string Code { get; }

    public IReadOnlyList<object> Arguments { get; }

    public string Describe(CultureInfo culture) => LicenceText.Format(Code, culture, [.. Arguments]);
}
