using System.Globalization;
using Renewals.Core.Engagement;

namespace Renewals.Web.Components.Callback;

/// <summary>The callback form's fields as posted; <see cref="Website"/> is the honeypot, <see cref="Stamp"/> the signed moment the form was shown.</summary>
public sealed class CallbackFormInput
{
    public string? Name { get; set; }

    public string? Company { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? Subject { get; set; }

    public string? Window { get; set; } = CallbackWindows.Any;

    public string? Website { get; set; }

    public string? Stamp { get; set; }

    /// <summary>The request in the page's language.</summary>
    public CallbackInput ToRequest() =>
        new(Name, Company, Email, Phone, Subject, Window, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "fr" ? "fr" : "en");
}
