using System.Globalization;
using Renewals.Domain.Amendments;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;

namespace Renewals.Domain.Tests;

/// <summary>
/// Amending the coming term: allowed until the current term's cancellation deadline (the
/// customer's local date, the deadline day included), refused the day after unless an
/// administrator overrides it with a reason; refused once the coming term has begun.
/// The product example's deadline is 16 November 2029 (Paris), its renewal 15 January 2030.
/// </summary>
public sealed class AmendmentTests
{
    private static readonly Subscription Example = SubscriptionBuilder.ProductExample();

    private static AmendmentTiming MadeOn(string localDate, int hour = 12, int minute = 0, bool admin = false, string? reason = null) =>
        Amendment.Check(Example, RenewalPolicy.Default, Example.Term(1), Dates.LocalTime(Example, Dates.Parse(localDate), hour, minute), admin, reason);

    [Fact]
    public void Amendment_made_on_the_deadline_day_is_allowed()
    {
        var timing = MadeOn("2029-11-16", hour: 23, minute: 59);

        Assert.False(timing.IsLate);
        Assert.Equal(Dates.Parse("2029-11-16"), timing.Deadline);
        Assert.Equal(Dates.Parse("2029-11-16"), timing.MadeOn);
        Assert.Equal(2, timing.Term.Number);
        Assert.Equal(Dates.Parse("2030-01-15"), timing.Term.Start);
        Assert.Equal(Dates.Parse("2031-01-15"), timing.Term.End);
    }

    [Fact]
    public void Amendment_made_the_day_after_the_deadline_is_refused()
    {
        var refused = Refused.With(DomainErrors.AmendmentAfterDeadline, () => MadeOn("2029-11-17", hour: 0, minute: 0));

        Assert.Equal("The cancellation deadline of the current term was 16 November 2029: the coming term can no longer be amended, unless an administrator overrides the deadline and gives the reason.",
            refused.Describe(CultureInfo.GetCultureInfo("en")));
        Assert.Equal("La date limite de résiliation de la période en cours était le 16 novembre 2029\u00a0: la prochaine période ne peut plus être modifiée, sauf si un administrateur passe outre en donnant la raison.",
            refused.Describe(CultureInfo.GetCultureInfo("fr")));
    }

    [Fact]
    public void The_day_is_the_customers_local_date_not_the_utc_date()
    {
        // 23:30 UTC on the 16th is already 00:30 on the 17th in Paris (UTC+1 in November).
        Refused.With(DomainErrors.AmendmentAfterDeadline,
            () => Amendment.Check(Example, RenewalPolicy.Default, Example.Term(1), Dates.Utc("2029-11-16T23:30:00Z"), false, null));
        var onTime = Amendment.Check(Example, RenewalPolicy.Default, Example.Term(1), Dates.Utc("2029-11-16T22:59:00Z"), false, null);
        Assert.Equal(Dates.Parse("2029-11-16"), onTime.MadeOn);
    }

    [Fact]
    public void Administrator_overrides_the_deadline_with_a_reason_that_is_kept()
    {
        var timing = MadeOn("2029-11-17", admin: true, reason: "  Customer's board approved the extra seats late  ");

        Assert.True(timing.IsLate);
        Assert.Equal("Customer's board approved the extra seats late", timing.OverrideReason);
        Assert.Equal(2, timing.Term.Number);
    }

    [Fact]
    public void Administrator_without_a_reason_is_refused_after_the_deadline() =>
        Refused.With(DomainErrors.AmendmentAfterDeadline, () => MadeOn("2029-11-17", admin: true, reason: "   "));

    [Fact]
    public void Advisor_cannot_override_the_deadline_even_with_a_reason() =>
        Refused.With(DomainErrors.AmendmentOverrideAdministratorsOnly, () => MadeOn("2029-12-01", admin: false, reason: "Asked nicely"));

    [Fact]
    public void Amendment_on_the_anniversary_is_refused_even_for_an_administrator() =>
        Refused.With(DomainErrors.AmendmentTermStarted, () => MadeOn("2030-01-15", hour: 0, admin: true, reason: "Too late"));

    [Fact]
    public void Partner_notice_period_moves_the_deadline()
    {
        // 90 days' notice under the partner contract: 15 January 2030 − 90 days = 17 October 2029.
        var viaPartner = new SubscriptionBuilder().ThroughPartner(90).Build();
        var onDeadline = Amendment.Check(viaPartner, RenewalPolicy.Default, viaPartner.Term(1),
            Dates.LocalTime(viaPartner, Dates.Parse("2029-10-17"), 18), false, null);
        Assert.Equal(Dates.Parse("2029-10-17"), onDeadline.Deadline);
        Refused.With(DomainErrors.AmendmentAfterDeadline, () => Amendment.Check(viaPartner, RenewalPolicy.Default, viaPartner.Term(1),
            Dates.LocalTime(viaPartner, Dates.Parse("2029-10-18"), 9), false, null));
    }

    [Theory]
    [InlineData("1000", "12.5", "875.00")]
    [InlineData("99.99", "12.5", "87.49")]
    [InlineData("480.50", "0", "480.50")]
    public void Discount_comes_off_the_yearly_unit_price_to_the_cent(string price, string discount, string expected) =>
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture),
            new AmendedLine(1, 3, decimal.Parse(price, CultureInfo.InvariantCulture), decimal.Parse(discount, CultureInfo.InvariantCulture), "EUR").NetYearlyUnitPrice);

    [Theory]
    [InlineData(0, "100", "0", DomainErrors.LineQuantity)]
    [InlineData(1, "-1", "0", DomainErrors.LinePrice)]
    [InlineData(1, "100", "100", DomainErrors.AmendmentDiscount)]
    [InlineData(1, "100", "-5", DomainErrors.AmendmentDiscount)]
    public void Bad_lines_are_refused(int quantity, string price, string discount, string code) =>
        Refused.With(code, () => new AmendedLine(1, quantity, decimal.Parse(price, CultureInfo.InvariantCulture), decimal.Parse(discount, CultureInfo.InvariantCulture), "EUR"));

    [Fact]
    public void Lines_hold_each_product_once_in_one_currency()
    {
        Refused.With(DomainErrors.AmendmentLinesRequired, () => Amendment.Lines([]));
        Refused.With(DomainErrors.LineProductRepeated, () => Amendment.Lines([new AmendedLine(1, 1, 10, 0, "EUR"), new AmendedLine(1, 2, 10, 0, "EUR")]));
        Refused.With(DomainErrors.LinesCurrencyMixed, () => Amendment.Lines([new AmendedLine(1, 1, 10, 0, "EUR"), new AmendedLine(2, 2, 10, 0, "usd")]));
    }

    [Fact]
    public void Reason_is_required()
    {
        Refused.With(DomainErrors.AmendmentReasonRequired, () => Amendment.Reason(" "));
        Refused.With(DomainErrors.AmendmentReasonRequired, () => Amendment.Reason(new string('x', 501)));
        Assert.Equal("More seats", Amendment.Reason(" More seats "));
    }
}

/// <summary>
/// Mid-term additions billed pro rata: yearly unit price × quantity × days remaining ÷ days in
/// the billing year. Expected figures worked out by hand (calendar days counted month by month).
/// </summary>
public sealed class MidTermAdditionTests
{
    [Fact]
    public void Addition_started_on_29_february_is_billed_for_107_of_366_days()
    {
        // Term [2027-06-15, 2028-06-15) holds 29 February 2028: 366 days. From 29 February
        // (included) to 15 June: 1 (29 Feb) + 31 + 30 + 31 + 14 = 107 days.
        // 1,200.00 × 3 × 107 ÷ 366 = 1,052.459... → 1,052.46.
        var subscription = new SubscriptionBuilder().Starting("2027-06-15").ForYears(1).Build();

        var price = MidTermAddition.Price(subscription, subscription.Term(1), Dates.Parse("2028-02-29"), 1200m, 3);

        Assert.Equal(new ProRata(Dates.Parse("2028-02-29"), Dates.Parse("2028-06-15"), 107, 366, 1052.46m), price);
    }

    [Fact]
    public void Addition_on_the_first_day_of_a_term_started_on_29_february_costs_a_full_year()
    {
        // Started 2024-02-29 for 3 years: term 3 runs [2028-02-29, 2029-02-28), 365 days.
        var subscription = new SubscriptionBuilder().Starting("2024-02-29").ForYears(3).Build();

        var price = MidTermAddition.Price(subscription, subscription.Term(3), Dates.Parse("2028-02-29"), 990m, 2);

        Assert.Equal(new ProRata(Dates.Parse("2028-02-29"), Dates.Parse("2029-02-28"), 365, 365, 1980.00m), price);
    }

    [Fact]
    public void Yearly_billed_multi_year_term_is_billed_to_the_next_anniversary()
    {
        // 3 years from 2027-01-15, billed yearly: the billing year [2028-01-15, 2029-01-15) has
        // 366 days; from 29 February 2028: 1 + 306 (March to December) + 14 = 321 days.
        // 480.50 × 5 × 321 ÷ 366 = 2,107.110... → 2,107.11. The yearly invoice of 15 January 2029 bills the rest.
        var subscription = SubscriptionBuilder.ProductExample();

        var price = MidTermAddition.Price(subscription, subscription.Term(1), Dates.Parse("2028-02-29"), 480.50m, 5);

        Assert.Equal(new ProRata(Dates.Parse("2028-02-29"), Dates.Parse("2029-01-15"), 321, 366, 2107.11m), price);
    }

    [Fact]
    public void Upfront_billed_term_is_billed_to_the_term_end()
    {
        // Upfront: to 15 January 2030, 321 + 365 = 686 days; 480.50 × 5 × 686 ÷ 366 = 4,503.05.
        var subscription = new SubscriptionBuilder().BilledUpfront().Build();

        var price = MidTermAddition.Price(subscription, subscription.Term(1), Dates.Parse("2028-02-29"), 480.50m, 5);

        Assert.Equal(new ProRata(Dates.Parse("2028-02-29"), Dates.Parse("2030-01-15"), 686, 366, 4503.05m), price);
    }

    [Fact]
    public void Addition_outside_the_current_term_is_refused()
    {
        var subscription = SubscriptionBuilder.ProductExample();
        Refused.With(DomainErrors.AdditionOutsideTerm, () => MidTermAddition.Price(subscription, subscription.Term(1), Dates.Parse("2030-01-15"), 10m, 1));
        Refused.With(DomainErrors.LineQuantity, () => MidTermAddition.Price(subscription, subscription.Term(1), Dates.Parse("2028-01-15"), 10m, 0));
    }
}
