using NodaTime;
using Renewals.Domain.Invoicing;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Amendments;

/// <summary>
/// One line of what the coming term will hold: a product, its quantity, its yearly unit price
/// (the new price, or the current one) and a discount in percent off that price.
/// </summary>
public sealed record AmendedLine
{
    public AmendedLine(long productId, int quantity, decimal yearlyUnitPrice, decimal discountPercent, string currency)
    {
        if (quantity < 1)
        {
            throw new DomainException(DomainErrors.LineQuantity, quantity);
        }

        if (yearlyUnitPrice < 0)
        {
            throw new DomainException(DomainErrors.LinePrice, yearlyUnitPrice);
        }

        // 100 % would be a free line: a different sale, not a discount.
        if (discountPercent is < 0 or >= 100)
        {
            throw new DomainException(DomainErrors.AmendmentDiscount, discountPercent);
        }

        if (string.IsNullOrWhiteSpace(currency) || !Currencies.IsKnown(currency.Trim()))
        {
            throw new DomainException(DomainErrors.LineCurrency, currency ?? "");
        }

        ProductId = productId;
        Quantity = quantity;
        YearlyUnitPrice = yearlyUnitPrice;
        DiscountPercent = discountPercent;
        Currency = currency.Trim().ToUpperInvariant();
    }

    public long ProductId { get; }

    public int Quantity { get; }

    public decimal YearlyUnitPrice { get; }

    public decimal DiscountPercent { get; }

    public string Currency { get; }

    /// <summary>The price of one unit for 12 months after the discount, to the cent (halves away from zero, as invoices round).</summary>
    public decimal NetYearlyUnitPrice =>
        Math.Round(YearlyUnitPrice * (100 - DiscountPercent) / 100, 2, MidpointRounding.AwayFromZero);
}

/// <summary>
/// The rules of amending a subscription's next term: what it may hold, and until when it may be
/// changed. The coming term is the one that starts at the current term's end.
/// </summary>
public static class Amendment
{
    public const int ReasonMaxLength = 500;

    /// <summary>
    /// An amendment is on time when it is made on or before the current term's cancellation
    /// deadline, both local dates of the customer's zone: the same day that decides whether a
    /// written notice is on time (<see cref="Cancellations.Cancellation.NoticeIsOnTime"/>).
    /// </summary>
    public static bool AmendmentIsOnTime(LocalDate madeOn, LocalDate deadline) => madeOn <= deadline;

    /// <summary>
    /// Whether an amendment of the term after <paramref name="current"/> may be made at
    /// <paramref name="at"/>. After the deadline only an administrator's override with its
    /// reason lets it through; on or after the anniversary the coming term has begun and no
    /// amendment reaches it.
    /// </summary>
    public static AmendmentTiming Check(
        Subscription subscription, RenewalPolicy policy, Term current, Instant at, bool byAdministrator, string? overrideReason)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(current);
        var madeOn = subscription.LocalDateOf(at);
        var deadline = RenewalTimeline.CancellationDeadline(subscription, policy, current);
        if (madeOn >= current.End)
        {
            throw new DomainException(DomainErrors.AmendmentTermStarted, current.End);
        }

        var coming = subscription.Term(current.Number + 1);
        if (AmendmentIsOnTime(madeOn, deadline))
        {
            return new AmendmentTiming(coming, madeOn, deadline, OverrideReason: null);
        }

        var reason = overrideReason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            throw new DomainException(DomainErrors.AmendmentAfterDeadline, deadline);
        }

        if (!byAdministrator)
        {
            throw new DomainException(DomainErrors.AmendmentOverrideAdministratorsOnly, deadline);
        }

        if (reason.Length > ReasonMaxLength)
        {
            throw new DomainException(DomainErrors.AmendmentReasonRequired, ReasonMaxLength);
        }

        return new AmendmentTiming(coming, madeOn, deadline, reason);
    }

    /// <summary>The reason an amendment is made: required, <see cref="ReasonMaxLength"/> characters at most.</summary>
    public static string Reason(string? reason)
    {
        var trimmed = reason?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > ReasonMaxLength)
        {
            throw new DomainException(DomainErrors.AmendmentReasonRequired, ReasonMaxLength);
        }

        return trimmed;
    }

    /// <summary>
    /// The length the coming term will have, in whole years: one when none is asked for, else a
    /// length the subscription's renewal policy allows.
    /// </summary>
    public static int RenewalYears(RenewalPolicy policy, int? years)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var asked = years ?? 1;
        if (!policy.AllowsRenewalYears(asked))
        {
            throw new DomainException(DomainErrors.AmendmentRenewalYears, asked, string.Join(", ", policy.RenewalYears));
        }

        return asked;
    }

    /// <summary>The coming term's lines: at least one, each product once, one currency.</summary>
    public static IReadOnlyList<AmendedLine> Lines(IEnumerable<AmendedLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var list = lines.ToList();
        if (list.Count == 0)
        {
            throw new DomainException(DomainErrors.AmendmentLinesRequired);
        }

        if (list.GroupBy(l => l.ProductId).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new DomainException(DomainErrors.LineProductRepeated, repeated.Key);
        }

        if (list.Select(l => l.Currency).Distinct(StringComparer.Ordinal).Skip(1).FirstOrDefault() is { } other)
        {
            throw new DomainException(DomainErrors.LinesCurrencyMixed, other);
        }

        return list;
    }
}

/// <summary>When an amendment was made, the term it changes, the deadline it was held to and, when late, the administrator's reason.</summary>
public sealed record AmendmentTiming(Term Term, LocalDate MadeOn, LocalDate Deadline, string? OverrideReason)
{
    public bool IsLate => OverrideReason is not null;
}

/// <summary>
/// More units of a product from a day inside the current term, billed at once and co-terminous
/// with the subscription: the invoice runs from that day to the end of the billing period it
/// falls in, so the next invoice of the subscription bills the new quantity in full.
/// <para>
/// amount = yearly unit price × quantity × days remaining ÷ days in the billing year, to the cent
/// (halves away from zero). Days remaining count from the first day (included) to the period's
/// end (excluded). The billing year is the year of the subscription that holds the first day:
/// from one anniversary of the start to the next, so 366 days when it holds a 29 February.
/// The billing period ends at the next anniversary for yearly billing, at the term's end when the
/// term was billed upfront (then the days remaining may exceed one year).
/// </para>
/// </summary>
public static class MidTermAddition
{
    public static ProRata Price(Subscription subscription, Term current, LocalDate from, decimal yearlyUnitPrice, int quantity)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(current);
        if (quantity < 1)
        {
            throw new DomainException(DomainErrors.LineQuantity, quantity);
        }

        if (yearlyUnitPrice < 0)
        {
            throw new DomainException(DomainErrors.LinePrice, yearlyUnitPrice);
        }

        if (!current.Contains(from))
        {
            throw new DomainException(DomainErrors.AdditionOutsideTerm, from, current.Start, current.End);
        }

        var years = Period.Between(subscription.Start, from, PeriodUnits.Years).Years;
        var yearStart = subscription.Anniversary(years);
        var yearEnd = subscription.Anniversary(years + 1);
        var periodEnd = subscription.Billing == BillingMode.Upfront && current.IsInitial ? current.End : Min(yearEnd, current.End);
        var daysRemaining = Period.Between(from, periodEnd, PeriodUnits.Days).Days;
        var daysInYear = Period.Between(yearStart, yearEnd, PeriodUnits.Days).Days;
        var amount = Math.Round(yearlyUnitPrice * quantity * daysRemaining / daysInYear, 2, MidpointRounding.AwayFromZero);
        return new ProRata(from, periodEnd, daysRemaining, daysInYear, amount);
    }

    private static LocalDate Min(LocalDate a, LocalDate b) => a < b ? a : b;
}

/// <summary>A pro-rata charge for [<see cref="From"/>, <see cref="Until"/>): its days, the billing year's days and the amount.</summary>
public sealed record ProRata(LocalDate From, LocalDate Until, int DaysRemaining, int DaysInBillingYear, decimal Amount);
