using System.Globalization;
using Renewals.Core.Feedback;

namespace Renewals.Web.Components.Feedback;

/// <summary>The feedback form's fields as posted, read as text: what cannot be read becomes a value Core refuses with its own message.</summary>
public sealed class FeedbackFormInput
{
    public const string Yes = "yes";
    public const string No = "no";

    /// <summary>"yes" or "no".</summary>
    public string? Useful { get; set; }

    /// <summary>"1" to "5".</summary>
    public string? Rating { get; set; }

    public string? Comment { get; set; }

    public FeedbackInput ToInput() => new(
        Useful switch { Yes => true, No => false, _ => null },
        string.IsNullOrWhiteSpace(Rating) ? null
            : int.TryParse(Rating.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var rating) ? rating : 0,
        Comment);
}
