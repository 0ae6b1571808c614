using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Administration;
using Renewals.Core.Amendments;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Tests;

public sealed class SqliteRenewalLengthTests() : RenewalLengthTests(DatabaseProvider.Sqlite);

public sealed class PostgresRenewalLengthTests() : RenewalLengthTests(DatabaseProvider.PostgreSql);

/// <summary>
/// A two-year renewal chosen by an amendment (issue 14). Acme bought 10 × 1,000.00 € of DSN-PRO
/// for a year from 15 January 2027 (Paris, VAT 20 %); the administrator allows 1 and 2 years.
/// Dates worked out by hand: the two-year term runs [2028-01-15, 2030-01-15); 120 days before its
/// end is 17 September 2029, 60 days (and the 60-day deadline) 16 November 2029.
/// </summary>
public abstract class RenewalLengthTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly AmendmentRequest TwoYearsOfTwelve = new(
        [new AmendLine("DSN-PRO", 12, DiscountPercent: 10m)], "Two years agreed, 12 designers, 10 % off", RenewalYears: 2);

    [Fact]
    public async Task A_confirmed_two_year_amendment_renews_for_two_years_billed_twice_the_yearly_price_then_one_year_again()
    {
        var (account, subscription, advisor) = await SoldAsync();
        AtParis(2027, 10, 1, 9, 0);
        var proposed = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwoYearsOfTwelve));
        Assert.Equal((2, Date("2028-01-15"), Date("2030-01-15"), 10_800.00m, 21_600.00m),
            (proposed.RenewalYears, proposed.TermStart, proposed.TermEnd, proposed.Total, proposed.TermTotal));
        var before = await MilestoneDatesAsync(subscription.Id);

        AtParis(2027, 12, 2, 10, 0);
        await Use(s => s.ConfirmByCustomerAsync(new PortalCustomer(account.Id), proposed.Id, "customer:jane@acme.example"));

        await using (var db = Database.Context())
        {
            Assert.Equal("2:2", (await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == subscription.Id)).RenewalLengths);
            Assert.Contains("term 2 renews for 2 years", (await db.Audit.AsNoTracking().SingleAsync(a => a.Action == "amendment.confirmed")).Details, StringComparison.Ordinal);
        }

        // The planner stores a term's milestones when the term begins: the current term's own dates do not move.
        Assert.Equal(before, await MilestoneDatesAsync(subscription.Id));
        Assert.Equal(
            [
                (1, MilestoneKind.DayOne, 0, "2027-01-15"), (1, MilestoneKind.CheckIn, 0, "2027-04-15"),
                (1, MilestoneKind.Reminder, 120, "2027-09-17"), (1, MilestoneKind.Reminder, 60, "2027-11-16"),
                (1, MilestoneKind.CancellationDeadline, 0, "2027-11-16"), (1, MilestoneKind.Anniversary, 0, "2028-01-15"),
            ],
            before);

        await RunOnAsync(Date("2028-01-15"));
        await RunOnAsync(Date("2028-01-16"));

        var renewal = Assert.Single(await InvoicesAsync(subscription.Id), i => i.Kind == InvoiceKind.Renewal);
        // 12 × 900.00 a year × 2 years = 21,600.00; VAT 20 % 4,320.00.
        Assert.Equal([("Product DSN-PRO", 12, 1_800.00m, 21_600.00m, Date("2028-01-15"), Date("2030-01-15"))],
            renewal.Lines.Select(l => (l.Description, l.Quantity, l.UnitPrice, l.Amount, l.PeriodStart, l.PeriodEnd)));
        Assert.Equal((Date("2028-01-15"), Date("2030-01-15"), 21_600.00m, 25_920.00m), (renewal.PeriodStart, renewal.PeriodEnd, renewal.Net, renewal.Total));

        await using (var db = Database.Context())
        {
            var term = await db.Terms.AsNoTracking().SingleAsync(t => t.SubscriptionId == subscription.Id && t.Number == 2);
            Assert.Equal((Date("2028-01-15"), Date("2030-01-15")), (term.Start, term.End));
            Assert.Equal([("2028-01-15", "2030-01-15", 12)], (await db.Entitlements.AsNoTracking()
                .Where(e => e.SubscriptionId == subscription.Id && e.TermNumber == 2).ToListAsync())
                .Select(e => (Iso(e.ValidFrom), Iso(e.ValidUntil), e.Quantity)));
        }

        // Term 2's key dates count back from its own end, each once.
        Assert.Equal(
            [
                (2, MilestoneKind.Reminder, 120, "2029-09-17"), (2, MilestoneKind.Reminder, 60, "2029-11-16"),
                (2, MilestoneKind.CancellationDeadline, 0, "2029-11-16"), (2, MilestoneKind.Anniversary, 0, "2030-01-15"),
            ],
            (await MilestoneDatesAsync(subscription.Id)).Where(m => m.Term == 2));
        Assert.Equal(10, (await MilestoneDatesAsync(subscription.Id)).Count);

        // After the two years the next renewal is a plain year again, at the amended yearly price.
        await RunOnAsync(Date("2030-01-15"));
        var renewals = (await InvoicesAsync(subscription.Id)).Where(i => i.Kind == InvoiceKind.Renewal).OrderBy(i => i.IssuedOn).ToList();
        Assert.Equal([(Date("2028-01-15"), Date("2030-01-15"), 21_600.00m), (Date("2030-01-15"), Date("2031-01-15"), 10_800.00m)],
            renewals.Select(i => (i.PeriodStart, i.PeriodEnd, i.Net)));
        Assert.Equal(
            [
                (3, MilestoneKind.Reminder, 120, "2030-09-17"), (3, MilestoneKind.Reminder, 60, "2030-11-16"),
                (3, MilestoneKind.CancellationDeadline, 0, "2030-11-16"), (3, MilestoneKind.Anniversary, 0, "2031-01-15"),
            ],
            (await MilestoneDatesAsync(subscription.Id)).Where(m => m.Term == 3));
    }

    [Fact]
    public async Task A_withdrawn_or_superseded_two_year_amendment_returns_the_term_to_twelve_months()
    {
        var (_, subscription, advisor) = await SoldAsync();
        AtParis(2027, 10, 1, 9, 0);
        var first = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwoYearsOfTwelve));
        await Use(s => s.ConfirmBySignedOrderAsync(new Actor.Advisor(advisor), first.Id, "SO-1"));
        Assert.Equal("2:2", await LengthsAsync(subscription.Id));

        // A later one-year proposal supersedes the confirmed two-year one: back to a year until it is confirmed.
        var second = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwoYearsOfTwelve with { RenewalYears = null }));
        Assert.Null(await LengthsAsync(subscription.Id));
        Assert.Equal((1, Date("2029-01-15")), (second.RenewalYears, second.TermEnd));

        var third = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwoYearsOfTwelve));
        await Use(s => s.ConfirmBySignedOrderAsync(new Actor.Advisor(advisor), third.Id, "SO-3"));
        Assert.Equal("2:2", await LengthsAsync(subscription.Id));
        await Use(s => s.WithdrawAsync(new Actor.Advisor(advisor), third.Id));
        Assert.Null(await LengthsAsync(subscription.Id));

        await RunOnAsync(Date("2028-01-15"));
        var renewal = Assert.Single(await InvoicesAsync(subscription.Id), i => i.Kind == InvoiceKind.Renewal);
        Assert.Equal((Date("2028-01-15"), Date("2029-01-15"), 10_000.00m), (renewal.PeriodStart, renewal.PeriodEnd, renewal.Net));
        Assert.Equal(
            [
                (2, MilestoneKind.Reminder, 120, "2028-09-17"), (2, MilestoneKind.Reminder, 60, "2028-11-16"),
                (2, MilestoneKind.CancellationDeadline, 0, "2028-11-16"), (2, MilestoneKind.Anniversary, 0, "2029-01-15"),
            ],
            (await MilestoneDatesAsync(subscription.Id)).Where(m => m.Term == 2));
    }

    [Fact]
    public async Task A_length_the_policy_does_not_allow_is_refused_in_the_users_language_and_nothing_is_stored()
    {
        var (_, subscription, advisor) = await SoldAsync();
        AtParis(2027, 10, 1, 9, 0);

        var refused = await Assert.ThrowsAsync<DomainException>(() => Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id,
            TwoYearsOfTwelve with { RenewalYears = 3 })));

        Assert.Equal(DomainErrors.AmendmentRenewalYears, refused.Code);
        Assert.Equal("La politique de renouvellement de l'abonnement n'autorise pas un renouvellement de 3 ans\u00a0; durées autorisées, en années\u00a0: 1, 2.",
            refused.Describe(System.Globalization.CultureInfo.GetCultureInfo("fr")));
        await using var db = Database.Context();
        Assert.Equal(0, await db.Amendments.CountAsync());
        Assert.Equal(0, await db.Audit.CountAsync(a => a.Entity == "amendment"));
    }

    [Fact]
    public async Task The_administrator_allows_renewal_lengths_with_an_audit_row_and_a_length_over_three_years_is_refused()
    {
        await using var db = Database.Context();
        var edits = new AdministrationEditService(db, Clock);
        var policy = (await edits.PoliciesAsync(Alice)).Single();
        Assert.Equal([1], policy.RenewalYearsAllowed);

        var tooLong = await Assert.ThrowsAsync<DomainException>(() => edits.UpdatePolicyAsync(Alice, policy.Id, new PolicyChange(90, [120, 60], 60, [1, 4])));
        Assert.Equal(DomainErrors.RenewalYears, tooLong.Code);
        var changed = await edits.UpdatePolicyAsync(Alice, policy.Id, new PolicyChange(90, [120, 60], 60, [3, 2]));

        Assert.Equal([1, 2, 3], changed.RenewalYearsAllowed);
        var audit = await db.Audit.AsNoTracking().SingleAsync(a => a.Action == "policy.changed");
        Assert.Equal("admin:alice", audit.Actor);
        Assert.Equal("default: check-in 90, reminders 120,60, notice 60 -> check-in 90, reminders 120,60, notice 60; renewal lengths allowed, in years: 1 -> 1,2,3",
            audit.Details);
    }

    private static Actor.Admin Alice => new("alice");

    private async Task<string?> LengthsAsync(long subscriptionId)
    {
        await using var db = Database.Context();
        return (await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == subscriptionId)).RenewalLengths;
    }

    /// <summary>Every stored milestone of the subscription as (term, kind, variant, date), in date order.</summary>
    private async Task<List<(int Term, MilestoneKind Kind, int Variant, string Date)>> MilestoneDatesAsync(long subscriptionId) =>
        [.. (await MilestonesAsync(subscriptionId)).OrderBy(m => m.Date).ThenBy(m => m.Kind).ThenByDescending(m => m.Variant)
            .Select(m => (m.TermNumber, m.Kind, m.Variant, Iso(m.Date)))];

    private async Task<(Account Account, Subscription Subscription, long Advisor)> SoldAsync()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor);
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, quantity: 10, yearlyUnitPrice: 1000m);
        await using (var db = Database.Context())
        {
            await new AdministrationEditService(db, Clock).UpdatePolicyAsync(Alice, subscription.PolicyId, new PolicyChange(90, [120, 60], 60, [1, 2]));
        }

        await RunOnAsync(Date("2027-01-15"));
        return (account, subscription, advisor);
    }

    private void AtParis(int year, int month, int day, int hour, int minute) =>
        Clock.Reset(new LocalDateTime(year, month, day, hour, minute).InZoneStrictly(DateTimeZoneProviders.Tzdb["Europe/Paris"]).ToInstant());

    private static string Iso(LocalDate date) => NodaTime.Text.LocalDatePattern.Iso.Format(date);

    private async Task<T> Use<T>(Func<AmendmentService, Task<T>> use)
    {
        await using var db = Database.Context();
        return await use(new AmendmentService(db, Clock));
    }
}
