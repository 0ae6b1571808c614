using System.Collections.Immutable;
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

    /// <summary>The longest renewal a policy may allow, in whole years (as the longest initial term).</summary>
    public const int MaxRenewalYears = 3;

    public Subscription(
        string customer,
        LocalDate start,
        int initialTermYears,
        DateTimeZone timeZone,
        BillingMode billing = BillingMode.Yearly,
        PartnerContract? partner = null,
        bool isFirstInProductFamily = true,
        IReadOnlyDictionary<int, int>? renewalYears = null)
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
        foreach (var (term, years) in renewalYears ?? ImmutableDictionary<int, int>.Empty)
        {
            if (term < 2)
            {
                throw new DomainException(DomainErrors.TermNumber, term);
            }

            if (years is < 1 or > MaxRenewalYears)
            {
                throw new DomainException(DomainErrors.RenewalYears, years, MaxRenewalYears);
            }
        }

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
        // A one-year renewal is the rule, not an exception: only the other lengths are kept.
        RenewalYears = (renewalYears ?? ImmutableDictionary<int, int>.Empty).Where(l => l.Value != 1).ToImmutableSortedDictionary();
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
    /// The renewal terms that do not last one year: term number → years (a confirmed amendment
    /// chose it). Every other renewal term lasts 12 months.
    /// </summary>
    public ImmutableSortedDictionary<int, int> RenewalYears { get; }

    /// <summary>How many years term <paramref name="number"/> lasts: the initial length, else its renewal length.</summary>
    public int YearsOf(int number)
    {
        if (number < 1)
        {
            throw new DomainException(DomainErrors.TermNumber, number);
        }

        return number == 1 ? InitialTermYears : RenewalYears.GetValueOrDefault(number, 1);
    }

    /// <summary>The same subscription with term <paramref name="number"/> lasting <paramref name="years"/> (1 returns it to the plain 12 months).</summary>
    public Subscription WithRenewalYears(int number, int years) =>
        new(Customer, Start, InitialTermYears, TimeZone, Billing, Partner, IsFirstInProductFamily, RenewalYears.SetItem(number, years));

    /// <summary>
    /// The k-th anniversary, always computed from the original start (never chained), so a
    /// 29 February start renews on 28 February and comes back to 29 February in leap years.
    /// </summary>
    public LocalDate Anniversary(int years) => Start.PlusYears(years);

    /// <summary>
    /// Term <paramref name="number"/> (1 is the initial term; each later one lasts 12 months
    /// unless <see cref="RenewalYears"/> says otherwise). Its dates are anniversaries of the
    /// original start after the years of the terms before it, never chained from a term's end.
    /// </summary>
    public Term Term(int number)
    {
        if (number < 1)
        {
            throw new DomainException(DomainErrors.TermNumber, number);
        }

        var startYears = 0;
        for (var n = 1; n < number; n++)
        {
            startYears += YearsOf(n);
        }

        return new Term(number, Anniversary(startYears), Anniversary(startYears + YearsOf(number)));
    }

    /// <summary>The term that covers <paramref name="date"/>; refused before day 1.</summary>
    public Term TermContaining(LocalDate date)
    {
        if (date < Start)
        {
            throw new DomainException(DomainErrors.DateBeforeStart, date, Start);
        }

        // Walk the terms from the first: each ends on an anniversary of the start, so the one
        // whose end is after the date is the one that holds it.
        var startYears = 0;
        for (var number = 1; ; number++)
        {
            var endYears = startYears + YearsOf(number);
            if (date < Anniversary(endYears))
            {
                return new Term(number, Anniversary(startYears), Anniversary(endYears));
            }

            startYears = endYears;
        }
    }

    /// <summary>The notice period that applies: the partner contract's, or the policy's when direct.</summary>
    public int NoticeDays(RenewalPolicy policy) => Partner?.NoticeDays ?? policy.NoticeDays;

    /// <summary>The local date of an instant in the customer's time zone.</summary>
    public LocalDate LocalDateOf(Instant instant) => instant.InZone(TimeZone).Date;
}
