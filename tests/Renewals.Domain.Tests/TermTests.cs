using Renewals.Domain.Subscriptions;

namespace Renewals.Domain.Tests;

/// <summary>Terms: the initial one of 1, 2 or 3 years, then 12-month renewals, each covering [start, end).</summary>
public sealed class TermTests
{
    private static readonly Subscription Example = SubscriptionBuilder.ProductExample();

    [Theory]
    [InlineData(1, "2027-01-15", "2028-01-15")]
    [InlineData(2, "2027-01-15", "2029-01-15")]
    [InlineData(3, "2027-01-15", "2030-01-15")]
    public void Initial_term_lasts_the_years_sold(int years, string start, string end)
    {
        var term = new SubscriptionBuilder().ForYears(years).Build().Term(1);

        Assert.Equal(Dates.Parse(start), term.Start);
        Assert.Equal(Dates.Parse(end), term.End);
    }

    [Theory]
    [InlineData(2, "2030-01-15", "2031-01-15")]
    [InlineData(3, "2031-01-15", "2032-01-15")]
    [InlineData(10, "2038-01-15", "2039-01-15")]
    public void Renewal_terms_last_twelve_months(int number, string start, string end)
    {
        var term = Example.Term(number);

        Assert.Equal(number, term.Number);
        Assert.Equal(Dates.Parse(start), term.Start);
        Assert.Equal(Dates.Parse(end), term.End);
    }

    [Fact]
    public void Each_term_starts_on_the_renewal_date_of_the_previous_one()
    {
        for (var number = 1; number < 8; number++)
        {
            Assert.Equal(Example.Term(number).RenewalDate, Example.Term(number + 1).Start);
        }
    }

    [Fact]
    public void A_term_contains_its_first_day() =>
        Assert.True(Example.Term(1).Contains(Dates.Parse("2027-01-15")));

    [Fact]
    public void A_term_contains_the_day_before_its_end() =>
        Assert.True(Example.Term(1).Contains(Dates.Parse("2030-01-14")));

    [Fact]
    public void A_term_does_not_contain_its_end_date() =>
        Assert.False(Example.Term(1).Contains(Dates.Parse("2030-01-15")));

    [Fact]
    public void A_term_does_not_contain_the_day_before_its_start() =>
        Assert.False(Example.Term(2).Contains(Dates.Parse("2030-01-14")));

    [Theory]
    [InlineData("2027-01-15", 1)]
    [InlineData("2028-06-30", 1)]
    [InlineData("2030-01-14", 1)]
    [InlineData("2030-01-15", 2)]
    [InlineData("2031-01-14", 2)]
    [InlineData("2031-01-15", 3)]
    [InlineData("2036-12-31", 8)]
    [InlineData("2038-01-15", 10)]
    [InlineData("2039-01-14", 10)]
    [InlineData("2039-01-15", 11)]
    public void Term_containing_a_date_is_the_one_whose_start_and_end_enclose_it(string date, int expected)
    {
        var term = Example.TermContaining(Dates.Parse(date));

        Assert.Equal(expected, term.Number);
        Assert.True(term.Contains(Dates.Parse(date)));
    }

    [Fact]
    public void Term_containing_a_date_before_day_one_is_refused()
    {
        var error = Refused.With(DomainErrors.DateBeforeStart, () => Example.TermContaining(Dates.Parse("2027-01-14")));

        Assert.Equal([Dates.Parse("2027-01-14"), Dates.Parse("2027-01-15")], error.Arguments);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Terms_are_numbered_from_one(int number) =>
        Refused.With(DomainErrors.TermNumber, () => Example.Term(number));

    [Theory]
    [InlineData(1, 365)]
    [InlineData(2, 731)]
    [InlineData(3, 1096)]
    public void Initial_term_length_counts_the_leap_day_it_crosses(int years, int days) =>
        Assert.Equal(days, new SubscriptionBuilder().ForYears(years).Build().Term(1).LengthInDays);

    [Fact]
    public void A_renewal_term_crossing_29_february_lasts_366_days() =>
        Assert.Equal(366, new SubscriptionBuilder().ForYears(1).Build().Term(2).LengthInDays);

    [Fact]
    public void Anniversaries_are_counted_from_the_original_start()
    {
        Assert.Equal(Dates.Parse("2027-01-15"), Example.Anniversary(0));
        Assert.Equal(Dates.Parse("2030-01-15"), Example.Anniversary(3));
        Assert.Equal(Dates.Parse("2047-01-15"), Example.Anniversary(20));
    }

    [Fact]
    public void Notice_days_are_the_policy_ones_for_a_direct_customer() =>
        Assert.Equal(45, Example.NoticeDays(new Policies.RenewalPolicy(noticeDays: 45)));

    [Fact]
    public void Notice_days_are_the_partner_ones_for_a_customer_who_bought_through_a_partner() =>
        Assert.Equal(90, new SubscriptionBuilder().ThroughPartner(90).Build().NoticeDays(new Policies.RenewalPolicy(noticeDays: 45)));

    [Fact]
    public void A_subscription_through_a_partner_says_so()
    {
        Assert.False(Example.IsThroughPartner);
        Assert.True(new SubscriptionBuilder().ThroughPartner(60).Build().IsThroughPartner);
    }

    [Fact]
    public void Customer_and_partner_names_are_trimmed()
    {
        var subscription = new SubscriptionBuilder().For("  Acme  ").ThroughPartner(60, name: " Contoso ").Build();

        Assert.Equal("Acme", subscription.Customer);
        Assert.Equal("Contoso", subscription.Partner!.Partner);
    }
}
