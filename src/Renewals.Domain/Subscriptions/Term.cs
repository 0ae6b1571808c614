using NodaTime;

namespace Renewals.Domain.Subscriptions;

/// <summary>
/// One term of a subscription, covering [<see cref="Start"/>, <see cref="End"/>). Its end
/// is the renewal date: the day the next term starts.
/// </summary>
public sealed record Term(int Number, LocalDate Start, LocalDate End)
{
    public LocalDate RenewalDate => End;

    public bool IsInitial => Number == 1;

    public int LengthInDays => Period.Between(Start, End, PeriodUnits.Days).Days;

    public bool Contains(LocalDate date) => date >= Start && date < End;
}
