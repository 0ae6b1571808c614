using System.Collections.Immutable;

namespace Renewals.Domain.Policies;

/// <summary>
/// When the dated steps of a term fall: the advisor check-in after the first term starts,
/// the reminders before each renewal, and the notice period for a written cancellation.
/// </summary>
public sealed record RenewalPolicy
{
    /// <summary>Offsets must fit inside the shortest term there is: a 12-month renewal term.</summary>
    public const int MaxOffsetDays = 364;

    public static RenewalPolicy Default { get; } = new();

    public RenewalPolicy(int checkInDays = 90, IEnumerable<int>? reminderDays = null, int noticeDays = 60)
    {
        var reminders = (reminderDays ?? [120, 60]).ToImmutableArray();

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

        CheckInDays = checkInDays;
        ReminderDays = [.. reminders.OrderDescending()];
        NoticeDays = noticeDays;
    }

    /// <summary>Days after the start of the first term when the advisor checks in.</summary>
    public int CheckInDays { get; }

    /// <summary>Days before each renewal date when a reminder goes out, farthest first.</summary>
    public ImmutableArray<int> ReminderDays { get; }

    /// <summary>Days of notice a direct customer must give to cancel in writing.</summary>
    public int NoticeDays { get; }

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
        && ReminderDays.SequenceEqual(other.ReminderDays);

    public override int GetHashCode() => HashCode.Combine(CheckInDays, NoticeDays, ReminderDays.Length);
}
