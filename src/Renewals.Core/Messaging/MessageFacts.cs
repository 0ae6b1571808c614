using NodaTime;
using NodaTime.Text;

namespace Renewals.Core.Messaging;

/// <summary>
/// What a message says is counted from the day it is read, not from the day the engine wrote
/// it: messages are rendered at delivery, and a delivery can come late (the engine down for a
/// while, the mail server down, a dead letter retried by an operator). So the days left and
/// whether a date is still ahead are worked out at rendering, from <c>today</c> (the day of
/// delivery in the account's time zone), and not stored in the payload.
/// Adds to the model, for each of <c>deadline</c>, <c>renewal_date</c>, <c>valid_from</c>
/// that the message carries: <c>NAME_status</c> (<c>ahead</c>, <c>today</c> or <c>passed</c>)
/// and <c>days_to_NAME</c>; and <c>days_left</c> (days to <c>renewal_date</c>).
/// </summary>
public static class MessageFacts
{
    /// <summary>The dates whose standing on the day of delivery a template may need.</summary>
    private static readonly string[] DatedFacts = ["deadline", "renewal_date", "valid_from"];

    public static void OfTheDay(Dictionary<string, object?> model, LocalDate today)
    {
        ArgumentNullException.ThrowIfNull(model);
        model["today"] = LocalDatePattern.Iso.Format(today);
        foreach (var name in DatedFacts)
        {
            if (model.GetValueOrDefault(name) is string text && LocalDatePattern.Iso.Parse(text) is { Success: true } parsed)
            {
                var days = Period.Between(today, parsed.Value, PeriodUnits.Days).Days;
                model[name + "_status"] = days > 0 ? "ahead" : days == 0 ? "today" : "passed";
                model["days_to_" + name] = (decimal)days;
            }
        }

        if (model.GetValueOrDefault("days_to_renewal_date") is decimal left)
        {
            model["days_left"] = left;
        }
    }

    /// <summary>The partner a customer bought through, as templates see it.</summary>
    public static Dictionary<string, object?> Partner(string name, int noticeDays, bool filesOnly) => new(StringComparer.Ordinal)
    {
        ["name"] = name,
        ["notice_days"] = (decimal)noticeDays,
        ["files_only"] = filesOnly,
    };

    /// <summary>An ISO date for a payload.</summary>
    public static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
