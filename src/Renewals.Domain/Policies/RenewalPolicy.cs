using System.Collections.Immutable;

namespace Renewals.Domain.Policies;

/// <summary>
/// When the dated steps of a term fall: the advisor check-in after the first term starts,
/// the reminders before each renewal, and the notice period for a written cancellation.
/// </summary>
public sealed record RenewalPolicy
{
    /// <summary>The renewal lengths a policy allows when it says nothing: one year.</summary>
    public static readonly ImmutableArray<int> OneYearOnly = [1];

    /// <summary>Offsets must fit inside the shortest term there is: a 12-month renewal term.</summary>
    public const int MaxOffsetDays = 364;

    public static RenewalPolicy Default { get; } = new();

    public RenewalPolicy(int checkInDays = 90, IEnumerable<int>? reminderDays = null, int noticeDays = 60, IEnumerable<int>? renewalYears = null)
    {
        var reminders = (reminderDays ?? [120, 60]).ToImmutableArray();
        var lengths = (renewalYears ?? OneYearOnly).ToImmutableArray();

        if (checkInDays is < 1 or > MaxOffsetDays)
        {
            throw new DomainException(DomainErrors.CheckInOffset, checkInDays, MaxOffsetDays);
        }

        foreach (var days in reminders)
        {
            if (days is < 1 or > MaxOffsetDays)
            {
                throw new DomainException(DomainErrors.ReminderOffset, days, MaxOffsetDays);
            }
        }

        if (reminders.Distinct().Count() != reminders.Length)
        {
            throw new DomainException(DomainErrors.ReminderOffsetsRepeated, string.Join(", ", reminders));
        }

        NoticeMustFitInATerm(noticeDays);

        foreach (var years in lengths)
        {
            if (years is < 1 or > Subscriptions.Subscription.MaxRenewalYears)
            {
                throw new DomainException(DomainErrors.RenewalYears, years, Subscriptions.Subscription.MaxRenewalYears);
            }
        }

        CheckInDays = checkInDays;
        ReminderDays = [.. reminders.OrderDescending()];
        NoticeDays = noticeDays;
        // One year is what a term renews for without an amendment, so every policy allows it.
        RenewalYears = [.. lengths.Append(1).Distinct().Order()];
    }

    /// <summary>Days after the start of the first term when the advisor checks in.</summary>
    public int CheckInDays { get; }

    /// <summary>Days before each renewal date when a reminder goes out, farthest first.</summary>
    public ImmutableArray<int> ReminderDays { get; }

    /// <summary>Days of notice a direct customer must give to cancel in writing.</summary>
    public int NoticeDays { get; }

    /// <summary>The lengths, in whole years, an amendment may give a renewal term; always holds 1, shortest first.</summary>
    public ImmutableArray<int> RenewalYears { get; }

    public bool AllowsRenewalYears(int years) => RenewalYears.Contains(years);

    /// <summary>
    /// At least one day, so the deadline is a day of the term itself (the renewal date is
    /// already the next term's first day); at most what fits in a 12-month term.
    /// </summary>
    internal static void NoticeMustFitInATerm(int noticeDays)
    {
        if (noticeDays is < 1 or > MaxOffsetDays)
        {
            throw new DomainException(DomainErrors.NoticeDays, noticeDays, MaxOffsetDays);
        }
    }

    public bool Equals(RenewalPolicy? other) =>
        other is not null
        && CheckInDays == other.CheckInDays
        && NoticeDays == other.NoticeDays
        && ReminderDays.SequenceEqual(other.ReminderDays)
        && RenewalYears.SequenceEqual(other.RenewalYears);

    public override int GetHashCode() => HashCode.Combine(CheckInDays, NoticeDays, ReminderDays.Length, RenewalYears.Length);
}
