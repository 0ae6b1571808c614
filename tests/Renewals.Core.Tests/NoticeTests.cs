using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Cancellations;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Tests;

public sealed class SqliteNoticeTests() : NoticeTests(DatabaseProvider.Sqlite);

public sealed class PostgresNoticeTests() : NoticeTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Rule 5: written notices checked against the clock (the customer's local date), the current
/// term and the subscription's state; withdrawals confirmed to the customer in writing.
/// </summary>
public abstract class NoticeTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    [Fact]
    public async Task A_notice_dated_tomorrow_in_the_customers_zone_is_refused_though_it_is_today_in_utc_and_nothing_is_stored()
    {
        var account = await Book.AccountAsync(zone: "Pacific/Auckland");
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"));
        // 13:00 UTC on 10 June is 01:00 on 11 June in Auckland (UTC+12 in winter).
        Clock.Reset(Instant.FromUtc(2027, 6, 10, 13, 0));

        var refused = await Assert.ThrowsAsync<DomainException>(() => FileAsync(subscription.Id, Date("2027-06-12"), "Pacific/Auckland"));

        Assert.Equal(DomainErrors.NoticeInFuture, refused.Code);
        Assert.Equal("A notice dated 12 June 2027 cannot be filed yet: it is only 11 June 2027 in the customer's time zone (Pacific/Auckland).",
            refused.Describe(English));
        Assert.Equal((0, 0), await NoticesAndMessagesAsync());

        // 11 June is still tomorrow in UTC, but today in Auckland: accepted.
        var accepted = await FileAsync(subscription.Id, Date("2027-06-11"), "Pacific/Auckland");
        Assert.Equal((true, Date("2030-01-15"), Date("2027-06-11")), (accepted.IsOnTime, accepted.EffectiveEndDate, accepted.ReceivedOn));
    }

    [Fact]
    public async Task On_the_deadline_day_a_notice_is_on_time_the_day_after_it_is_late_and_a_second_notice_waits_for_the_first_to_be_withdrawn()
    {
        var subscription = await Book.ExampleAsync(); // Paris, 3 years from 2027-01-15: deadline 2029-11-16
        Clock.Reset(Instant.FromUtc(2029, 11, 17, 12, 0));

        var onDeadline = await FileAsync(subscription.Id, Date("2029-11-16"));
        var second = await Assert.ThrowsAsync<DomainException>(() => FileAsync(subscription.Id, Date("2029-11-17")));
        await using (var db = Database.Context())
        {
            await new CancellationService(db, Clock).WithdrawAsync(onDeadline.Id, "customer");
        }

        var dayAfter = await FileAsync(subscription.Id, Date("2029-11-17"));

        Assert.Equal((true, Date("2030-01-15")), (onDeadline.IsOnTime, onDeadline.EffectiveEndDate));
        Assert.Equal(DomainErrors.SubscriptionAlreadyEnding, second.Code);
        Assert.Equal("This subscription already ends on 15 January 2030 after an earlier notice; withdraw that notice before filing another.",
            second.Describe(English));
        Assert.Equal((false, Date("2031-01-15")), (dayAfter.IsOnTime, dayAfter.EffectiveEndDate));
    }

    [Fact]
    public async Task The_deadline_is_carried_out_once_its_day_is_over_so_a_notice_on_the_deadline_day_ends_the_term_it_was_meant_for()
    {
        var subscription = await Book.ExampleAsync(); // Paris, 3 years from 2027-01-15: deadline 2029-11-16

        // The engine's run at midnight starting the deadline day leaves the deadline pending...
        Clock.Reset(Instant.FromUtc(2029, 11, 15, 23, 0)); // 16 November, 00:00 in Paris
        await RunOnAsync(Date("2029-11-16"));
        var deadline = (await MilestonesAsync(subscription.Id)).Single(m => m.TermNumber == 1 && m.Kind == Domain.Timeline.MilestoneKind.CancellationDeadline);
        Assert.Equal((MilestoneStatus.Pending, Instant.FromUtc(2029, 11, 16, 23, 0)), (deadline.Status, deadline.DueAt));

        // ...a letter received that day is on time...
        Clock.Reset(Instant.FromUtc(2029, 11, 16, 15, 0));
        await FileAsync(subscription.Id, Date("2029-11-16"));

        // ...and the next day's run records the term as ending, not as renewing.
        Clock.Reset(Instant.FromUtc(2029, 11, 16, 23, 0));
        await RunOnAsync(Date("2029-11-17"));
        deadline = (await MilestonesAsync(subscription.Id)).Single(m => m.TermNumber == 1 && m.Kind == Domain.Timeline.MilestoneKind.CancellationDeadline);
        Assert.Equal((MilestoneStatus.Done, "subscription-ending"), (deadline.Status, deadline.Outcome));
    }

    [Fact]
    public async Task A_withdrawal_is_confirmed_to_the_primary_contact_and_an_unknown_notice_is_named_as_unknown()
    {
        var subscription = await Book.ExampleAsync();
        Clock.Reset(Instant.FromUtc(2029, 10, 1, 9, 0));
        var notice = await FileAsync(subscription.Id, Date("2029-10-01"));
        Clock.Reset(Instant.FromUtc(2029, 12, 1, 9, 0));

        await using var db = Database.Context();
        var service = new CancellationService(db, Clock);
        var withdrawn = await service.WithdrawAsync(notice.Id, "customer");
        var unknown = await Assert.ThrowsAsync<DomainException>(() => service.WithdrawAsync(4242, "customer"));

        Assert.Equal(Instant.FromUtc(2029, 12, 1, 9, 0), withdrawn.WithdrawnAt);
        Assert.Equal(DomainErrors.NoticeUnknown, unknown.Code);
        Assert.Equal("There is no cancellation notice 4242.", unknown.Describe(English));
        Assert.Equal("Il n'existe aucune résiliation numéro 4242.", unknown.Describe(CultureInfo.GetCultureInfo("fr")));
        var confirmation = Assert.Single(await MessagesAsync(subscription.Id), m => m.Template == "cancellation-withdrawn");
        Assert.Equal("jane@acme.example", confirmation.ToEmail);
        Assert.Contains("\"cancelled_end_date\":\"2030-01-15\"", confirmation.Payload, StringComparison.Ordinal);
        Assert.Contains("\"renewal_date\":\"2030-01-15\"", confirmation.Payload, StringComparison.Ordinal);
        Assert.Contains("\"withdrawn_on\":\"2029-12-01\"", confirmation.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_29_february_contract_refuses_a_notice_from_the_term_before_and_accepts_one_on_the_terms_first_day()
    {
        var account = await Book.AccountAsync();
        Clock.Reset(Instant.FromUtc(2026, 3, 10, 9, 0));
        // Yearly from 29 February 2024: the current term runs from 28 February 2026 to 28 February 2027.
        var subscription = await Book.ImportAsync(account.Id, Date("2024-02-29"), years: 1);

        var refused = await Assert.ThrowsAsync<DomainException>(() => FileAsync(subscription.Id, Date("2026-02-27")));
        var accepted = await FileAsync(subscription.Id, Date("2026-02-28"));

        Assert.Equal(DomainErrors.NoticeBeforeCurrentTerm, refused.Code);
        Assert.Equal("A notice dated 27 February 2026 was received before the current term began (on 28 February 2026): it belongs to a term that is over.",
            refused.Describe(English));
        Assert.Equal((true, 3, Date("2027-02-28")), (accepted.IsOnTime, accepted.ReceivedInTerm, accepted.EffectiveEndDate));
    }

    [Fact]
    public async Task Under_a_partner_only_contract_the_customer_is_refused_and_the_partner_is_on_time_on_its_own_deadline_and_late_the_day_after()
    {
        var contract = await Book.PartnerContractAsync(noticeDays: 90, filedByPartnerOnly: true);
        var account = await Book.AccountAsync();
        var first = await Book.SellAsync(account.Id, Date("2027-01-15"), partnerContractId: contract);
        var second = await Book.SellAsync(account.Id, Date("2027-01-15"), partnerContractId: contract);
        Clock.Reset(Instant.FromUtc(2029, 10, 20, 9, 0));

        var customer = await Assert.ThrowsAsync<DomainException>(() => FileAsync(first.Id, Date("2029-10-17"), filer: NoticeFiler.Customer));
        var onDeadline = await FileAsync(first.Id, Date("2029-10-17"), filer: NoticeFiler.Partner);
        var dayAfter = await FileAsync(second.Id, Date("2029-10-18"), filer: NoticeFiler.Partner);

        Assert.Equal("Under the partner contract, only Northwind Resellers can file a cancellation for this subscription.", customer.Describe(English));
        Assert.Equal((true, Date("2030-01-15")), (onDeadline.IsOnTime, onDeadline.EffectiveEndDate));
        Assert.Equal((false, Date("2031-01-15")), (dayAfter.IsOnTime, dayAfter.EffectiveEndDate));
    }

    [Fact]
    public async Task A_subscription_that_has_ended_refuses_a_notice()
    {
        var subscription = await Book.SellAsync((await Book.AccountAsync()).Id, Date("2027-01-15"), years: 1);
        Clock.Reset(Instant.FromUtc(2027, 3, 1, 9, 0));
        await FileAsync(subscription.Id, Date("2027-03-01"));
        await RunOnAsync(Date("2028-01-15"));
        Clock.Reset(Instant.FromUtc(2028, 2, 1, 9, 0));

        var refused = await Assert.ThrowsAsync<DomainException>(() => FileAsync(subscription.Id, Date("2028-02-01")));

        Assert.Equal(DomainErrors.SubscriptionAlreadyEnded, refused.Code);
        Assert.Equal("This subscription ended on 15 January 2028.", refused.Describe(English));
    }

    [Fact]
    public async Task A_subscriptions_story_lists_its_terms_key_dates_notices_and_purchase_orders()
    {
        var subscription = await Book.ExampleAsync();
        await using (var db = Database.Context())
        {
            var orders = new Invoicing.PurchaseOrderService(db, Clock);
            await orders.RegisterAsync(new Invoicing.NewPurchaseOrder(subscription.AccountId, "PO-ACCOUNT"), "test");
            await orders.RegisterAsync(new Invoicing.NewPurchaseOrder(subscription.AccountId, "PO-2027", subscription.Id, Date("2027-01-15"), Date("2028-01-15")), "test");
        }

        Clock.Reset(Instant.FromUtc(2028, 3, 1, 9, 0));
        await FileAsync(subscription.Id, Date("2028-02-29"));

        await using var read = Database.Context();
        var story = await new Core.Subscriptions.SubscriptionQueries(read).ShowAsync(subscription.Id, English);

        Assert.Equal((1, Date("2027-01-15"), Date("2030-01-14")), (story.Terms.Single().Number, story.Terms.Single().Start, story.Terms.Single().LastDay));
        Assert.Equal(
            new[] { "day-one", "check-in", "yearly-invoice-2", "yearly-invoice-3", "reminder-120", "reminder-60", "cancellation-deadline", "anniversary" },
            story.KeyDates.Select(k => k.Key));
        Assert.Equal("Last day to cancel in writing: 60 days' notice before the renewal on 15 January 2030.",
            story.KeyDates.Single(k => k.Key == "cancellation-deadline").Reason);
        Assert.Equal((Date("2028-02-29"), true, Date("2030-01-15")), (story.Notices.Single().ReceivedOn, story.Notices.Single().IsOnTime, story.Notices.Single().EffectiveEndDate));
        Assert.Equal(new[] { ("PO-ACCOUNT", (long?)null), ("PO-2027", subscription.Id) }, story.PurchaseOrders.Select(o => (o.Number, o.SubscriptionId)));
    }

    private async Task<Core.Subscriptions.NoticeView> FileAsync(long subscriptionId, LocalDate received, string zone = "Europe/Paris", NoticeFiler filer = NoticeFiler.Customer)
    {
        await using var db = Database.Context();
        var notice = new WrittenNotice(received.AtStartOfDayInZone(DateTimeZoneProviders.Tzdb[zone]).ToInstant(), NoticeChannel.PostalLetter, "Jane Primary", Hash, filer);
        return await new CancellationService(db, Clock).FileAsync(subscriptionId, notice, "test");
    }

    private async Task<(int Notices, int Messages)> NoticesAndMessagesAsync()
    {
        await using var db = Database.Context();
        return (await db.CancellationNotices.CountAsync(), await db.Outbox.CountAsync());
    }
}
