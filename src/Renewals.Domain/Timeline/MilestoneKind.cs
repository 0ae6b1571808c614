namespace Renewals.Domain.Timeline;

/// <summary>The kinds of dated steps in a term, in the order they appear on a given day.</summary>
public enum MilestoneKind
{
    /// <summary>Day 1: confirmation letter, welcome email and the first invoice.</summary>
    DayOne,

    /// <summary>The advisor contacts the customer to schedule a review meeting (first term).</summary>
    CheckIn,

    /// <summary>The yearly invoice on an anniversary of the start inside a multi-year term.</summary>
    YearlyInvoice,

    /// <summary>A reminder N days before the renewal date.</summary>
    Reminder,

    /// <summary>The last day a written cancellation takes effect at this term's end.</summary>
    CancellationDeadline,

    /// <summary>The renewal date: 12 more months, licences, invoice to accounts payable.</summary>
    Anniversary,
}
