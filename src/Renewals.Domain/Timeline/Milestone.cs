using System.Globalization;
using NodaTime;
using Renewals.Domain.Text;

namespace Renewals.Domain.Timeline;

/// <summary>
/// One dated step of a term. (<see cref="TermNumber"/>, <see cref="Kind"/>,
/// <see cref="Variant"/>) identifies it within its subscription: the variant is the number
/// of days of a reminder, the year of a yearly invoice, and 0 for every other kind.
/// </summary>
public sealed record Milestone(
    int TermNumber,
    MilestoneKind Kind,
    int Variant,
    LocalDate Date,
    MilestoneReason Reason,
    bool RecommendedValidation = false)
{
    /// <summary>A stable, readable key such as <c>reminder-120</c> or <c>anniversary</c>.</summary>
    public string Key => Kind switch
    {
        MilestoneKind.DayOne => "day-one",
        MilestoneKind.CheckIn => "check-in",
        MilestoneKind.YearlyInvoice => $"yearly-invoice-{Variant}",
        MilestoneKind.Reminder => $"reminder-{Variant}",
        MilestoneKind.CancellationDeadline => "cancellation-deadline",
        MilestoneKind.Anniversary => "anniversary",
    };

    /// <summary>
    /// When the engine carries it out: the start of its date in the customer's zone, except the
    /// cancellation deadline, which is carried out once its day is over, since a notice received
    /// on the deadline day itself is on time and the term's outcome is certain only after it.
    /// </summary>
    public Instant FallsDueAt(DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var day = Kind == MilestoneKind.CancellationDeadline ? Date.PlusDays(1) : Date;
        return day.AtStartOfDayInZone(zone).ToInstant();
    }

    /// <summary>The short name of the step, in the user's language.</summary>
    public string Title(CultureInfo culture) => DomainText.Format($"Milestone.{Kind}", culture, Variant);

    /// <summary>Why it falls on this date, in the user's language.</summary>
    public string Describe(CultureInfo culture) => Reason.Describe(culture);
}

/// <summary>Why a milestone falls where it does: a text key and the values it mentions.</summary>
public sealed record MilestoneReason(string Key, params object[] Arguments)
{
    public string Describe(CultureInfo culture) => DomainText.Format(Key, culture, Arguments);

    public override string ToString() => Describe(CultureInfo.InvariantCulture);

    // Records compare arrays by reference; two reasons with the same values are the same reason.
    public bool Equals(MilestoneReason? other) =>
        other is not null && Key == other.Key && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Key, StringComparer.Ordinal);
        foreach (var argument in Arguments)
        {
            hash.Add(argument);
        }

        return hash.ToHashCode();
    }
}
