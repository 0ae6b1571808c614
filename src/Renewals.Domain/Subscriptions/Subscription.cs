using NodaTime;
using Renewals.Domain.Policies;

namespace Renewals.Domain.Subscriptions;

/// <summary>
/// A subscription as the rules see it: when it started, for how long, how it is billed,
/// where its customer lives and through whom it was sold. Immutable; validated on creation.
/// </summary>
public sealed record Subscription
{
    public const int RenewalTermMonths = 12;

    public Subscription(
        string customer,
        LocalDate start,
        int initialTermYears,
        DateTimeZone timeZone,
        BillingMode billing = BillingMode.Yearly,
        PartnerContract? partner = null,
        bool isFirstInProductFamily = true)
    {
        if (string.IsNullOrWhiteSpace(customer))
        {
            throw new DomainException(DomainErrors.CustomerRequired);
        }

        if (initialTermYears is < 1 or > 3)
        {
            throw new DomainException(DomainErrors.InitialTermYears, initialTermYears);
        }

        ArgumentNullException.ThrowIfNull(timeZone);
        if (!Enum.IsDefined(billing))
        {
            throw new DomainException(DomainErrors.BillingModeUnknown, billing);
        }

        Customer = customer.Trim();
        Start = start;
        InitialTermYears = initialTermYears;
        TimeZone = timeZone;
        Billing = billing;
        Partner = partner;
        IsFirstInProductFamily = isFirstInProductFamily;
    }

    public string Customer { get; }

    /// <summary>Day 1, a local date of the customer's time zone.</summary>
    public LocalDate Start { get; }

    public int InitialTermYears { get; }

    public DateTimeZone TimeZone { get; }

    public BillingMode Billing { get; }

    /// <summary>The partner contract when the customer bought through a partner; null when direct.</summary>
    public PartnerContract? Partner { get; }

    public bool IsThroughPartner => Partner is not null;

    /// <summary>
    /// True when the customer had no earlier subscription in this product family: the
    /// check-in is then a "recommended validation".
    /// </summary>
    public bool IsFirstInProductFamily { get; }

    /// <summary>
    /// The k-th anniversary, always computed from the original start (never chained), so a
    /// 29 February start renews on 28 February and comes back to 29 February in leap years.
    /// </summary>
    public LocalDate Anniversary(int years) => Start.PlusYears(years);

    /// <summary>Term <paramref name="number"/> (1 is the initial term; each later one lasts 12 months).</summary>
    public Term Term(int number)
    {
        if (number < 1)
        {
            throw new DomainException(DomainErrors.TermNumber, number);
        }

        var startYears = number == 1 ? 0 : InitialTermYears + (number - 2);
        var endYears = InitialTermYears + (number - 1);
        return new Term(number, Anniversary(startYears), Anniversary(endYears));
    }

    /// <summary>The term that covers <paramref name="date"/>; refused before day 1.</summary>
    public Term TermContaining(LocalDate date)
    {
        if (date < Start)
        {
            throw new DomainException(DomainErrors.DateBeforeStart, date, Start);
        }

        var initial = Term(1);
        if (initial.Contains(date))
        {
            return initial;
        }

        // Renewal terms last one year each from the end of the initial term. Anniversaries
        // that move between 28 and 29 February make the estimate off by one at most.
        var yearsAfterInitial = Period.Between(initial.End, date, PeriodUnits.Years).Years;
        var candidate = Term(2 + yearsAfterInitial);
        while (date < candidate.Start)
        {
            candidate = Term(candidate.Number - 1);
        }

        while (date >= candidate.End)
        {
            candidate = Term(candidate.Number + 1);
        }

        return candidate;
    }

    /// <summary>The notice period that applies: the partner contract's, or the policy's when direct.</summary>
    public int NoticeDays(RenewalPolicy policy) => Partner?.NoticeDays ?? policy.NoticeDays;

    /// <summary>The local date of an instant in the customer's time zone.</summary>
    public LocalDate LocalDateOf(Instant instant) => instant.InZone(TimeZone).Date;
}
