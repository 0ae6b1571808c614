using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Cancellations;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Timeline;
using Milestone = Renewals.Data.Model.Milestone;

namespace Renewals.Core.Tests;

public sealed class SqliteEngineTests() : EngineTests(DatabaseProvider.Sqlite);

public sealed class PostgresEngineTests() : EngineTests(DatabaseProvider.PostgreSql);

/// <summary>What the engine does on each key date, the same on both databases.</summary>
public abstract class EngineTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly string Hash = new('a', 64);

    [Fact]
    public async Task Day_one_sends_the_confirmation_and_welcome_and_invoices_accounts_payable()
    {
        var subscription = await Book.ExampleAsync();

        var result = await RunOnAsync(Date("2027-01-15"));

        Assert.Equal(1, result.Done);
        var messages = await MessagesAsync(subscription.Id);
        // Accounts payable is another contact: the primary gets the invoice too, as a copy.
        Assert.Equal(["confirmation-letter:jane@acme.example", "welcome:jane@acme.example", "invoice:ap@acme.example", "invoice:jane@acme.example"],
            messages.Select(m => $"{m.Template}:{m.ToEmail}"));
        var invoice = Assert.Single(await InvoicesAsync(subscription.Id));
        Assert.Equal(InvoiceKind.Initial, invoice.Kind);
        Assert.Equal((Date("2027-01-15"), Date("2028-01-15")), (invoice.PeriodStart, invoice.PeriodEnd));
        Assert.Equal(10_000m, invoice.Net);
        Assert.Equal(12_000m, invoice.Total);
        Assert.Equal(Date("2027-02-14"), invoice.DueOn);
        Assert.Equal(invoice.Id, messages[2].InvoiceId);
        Assert.Equal(invoice.Id, messages[3].InvoiceId);
        Assert.Contains("\"copy\":true", messages[3].Payload, StringComparison.Ordinal);
        var milestones = await MilestonesAsync(subscription.Id);
        Assert.Equal(MilestoneStatus.Done, milestones.Single(m => m.Kind == MilestoneKind.DayOne).Status);
        Assert.All(milestones.Where(m => m.Kind != MilestoneKind.DayOne), m => Assert.Equal(MilestoneStatus.Pending, m.Status));
    }

    [Fact]
    public async Task A_milestone_falls_due_at_the_start_of_its_local_date_in_the_customers_zone()
    {
        var account = await Book.AccountAsync(zone: "Pacific/Auckland");
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"));

        // Midnight on 15 January in Auckland (UTC+13) is 11:00 UTC on 14 January.
        var before = await Engine().RunAsync(Instant.FromUtc(2027, 1, 14, 10, 59, 59));
        var at = await Engine().RunAsync(Instant.FromUtc(2027, 1, 14, 11, 0));

        Assert.Equal(0, before.Executed);
        Assert.Equal(1, at.Done);
        Assert.Equal(4, (await MessagesAsync(subscription.Id)).Count); // letter, welcome, invoice and its copy
    }

    [Fact]
    public async Task Running_again_at_the_same_instant_changes_nothing()
    {
        var subscription = await Book.ExampleAsync();
        await RunOnAsync(Date("2027-04-15"));
        var messages = (await MessagesAsync()).Count;

        var again = await RunOnAsync(Date("2027-04-15"));

        Assert.Equal(0, again.Executed);
        Assert.Equal(messages, (await MessagesAsync()).Count);
        Assert.Single(await InvoicesAsync(subscription.Id));
    }

    [Fact]
    public async Task The_check_in_asks_the_advisor_to_schedule_a_review_meeting_flagged_as_recommended_validation()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor);
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"));

        await RunOnAsync(Date("2027-04-14"));
        await using (var db = Database.Context())
        {
            Assert.Empty(await db.AdvisorTasks.ToListAsync());
        }

        await RunOnAsync(Date("2027-04-15"));

        await using var check = Database.Context();
        var task = Assert.Single(await check.AdvisorTasks.ToListAsync());
        Assert.Equal(("schedule-review-meeting", advisor, subscription.Id, Date("2027-04-15"), true),
            (task.Kind, task.AdvisorId!.Value, task.SubscriptionId!.Value, task.DueOn, task.RecommendedValidation));
    }

    [Fact]
    public async Task A_second_subscription_in_the_same_family_is_not_a_recommended_validation()
    {
        var account = await Book.AccountAsync();
        await Book.SellAsync(account.Id, Date("2026-06-01"), years: 1);
        var second = await Book.SellAsync(account.Id, Date("2027-01-15"));

        var checkIn = (await MilestonesAsync(second.Id)).Single(m => m.Kind == MilestoneKind.CheckIn);

        Assert.False(checkIn.RecommendedValidation);
    }

    [Fact]
    public async Task Reminders_go_to_primary_and_accounts_payable_with_the_actions_that_still_apply()
    {
        var account = await Book.AccountAsync(requiresPurchaseOrder: true, advisorId: await Book.AdvisorAsync());
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-04-15"));

        await RunOnAsync(Date("2027-09-17")); // 120 days before 2028-01-15

        var reminders = (await MessagesAsync(subscription.Id)).Where(m => m.Template == "reminder").ToList();
        Assert.Equal(["jane@acme.example", "ap@acme.example"], reminders.Select(m => m.ToEmail));
        using var payload = JsonDocument.Parse(reminders[0].Payload);
        Assert.Equal(120, payload.RootElement.GetProperty("days").GetInt32());
        Assert.Equal("2028-01-15", payload.RootElement.GetProperty("renewal_date").GetString());
        Assert.Equal(["issue-purchase-order", "check-with-stakeholders", "contact-advisor", "see-web-account"],
            payload.RootElement.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        await using (var db = Database.Context())
        {
            Assert.DoesNotContain(await db.AdvisorTasks.ToListAsync(), t => t.Kind == "purchase-order-missing");
        }

        await RunOnAsync(Date("2027-11-16")); // 60 days before: the last reminder raises a task for the advisor

        await using var check = Database.Context();
        Assert.Single(await check.AdvisorTasks.Where(t => t.Kind == "purchase-order-missing").ToListAsync());
    }

    [Fact]
    public async Task A_registered_purchase_order_leaves_the_reminders_and_is_printed_on_the_renewal_invoice()
    {
        var account = await Book.AccountAsync(requiresPurchaseOrder: true);
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await using (var db = Database.Context())
        {
            db.PurchaseOrders.Add(new PurchaseOrder
            {
                AccountId = account.Id, Number = "PO-77812", ValidFrom = Date("2028-01-15"), ValidUntil = Date("2029-01-15"), RegisteredAt = Clock.GetCurrentInstant(),
            });
            await db.SaveChangesAsync();
        }

        await RunOnAsync(Date("2028-01-15"));

        var invoices = await InvoicesAsync(subscription.Id);
        Assert.Equal([null, "PO-77812"], invoices.Select(i => i.PurchaseOrderNumber));
        Assert.DoesNotContain((await MessagesAsync(subscription.Id)).Where(m => m.Template == "reminder"), m => m.Payload.Contains("issue-purchase-order", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Yearly_billing_invoices_each_anniversary_of_the_start_inside_a_multi_year_term()
    {
        var subscription = await Book.ExampleAsync();

        await RunOnAsync(Date("2029-01-15"));

        var invoices = await InvoicesAsync(subscription.Id);
        Assert.Equal([Date("2027-01-15"), Date("2028-01-15"), Date("2029-01-15")], invoices.Select(i => i.PeriodStart));
        Assert.All(invoices, i => Assert.Equal(10_000m, i.Net));
    }

    [Fact]
    public async Task Upfront_billing_invoices_the_whole_term_on_day_one()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), billing: Domain.Subscriptions.BillingMode.Upfront);

        await RunOnAsync(Date("2029-06-01"));

        var invoice = Assert.Single(await InvoicesAsync(subscription.Id));
        Assert.Equal((Date("2027-01-15"), Date("2030-01-15"), 30_000m), (invoice.PeriodStart, invoice.PeriodEnd, invoice.Net));
    }

    [Fact]
    public async Task The_anniversary_renews_for_12_months_with_licences_an_invoice_to_accounts_payable_and_the_next_milestones()
    {
        var subscription = await Book.ExampleAsync();
        await RunOnAsync(Date("2030-01-14"));

        await RunOnAsync(Date("2030-01-15"));

        await using var db = Database.Context();
        var stored = await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == subscription.Id);
        Assert.Equal((SubscriptionStatus.Active, 2), (stored.Status, stored.CurrentTermNumber));
        var term2 = await db.Terms.AsNoTracking().SingleAsync(t => t.SubscriptionId == subscription.Id && t.Number == 2);
        Assert.Equal((Date("2030-01-15"), Date("2031-01-15")), (term2.Start, term2.End));
        var licences = await db.Entitlements.AsNoTracking().Where(e => e.SubscriptionId == subscription.Id).OrderBy(e => e.TermNumber).ToListAsync();
        Assert.Equal([(Date("2027-01-15"), Date("2030-01-15")), (Date("2030-01-15"), Date("2031-01-15"))], licences.Select(l => (l.ValidFrom, l.ValidUntil)));
        var renewal = (await InvoicesAsync(subscription.Id)).Single(i => i.Kind == InvoiceKind.Renewal);
        Assert.Equal((Date("2030-01-15"), Date("2031-01-15"), 10_000m), (renewal.PeriodStart, renewal.PeriodEnd, renewal.Net));
        var messages = await MessagesAsync(subscription.Id);
        Assert.Contains(messages, m => m.Template == "invoice" && m.InvoiceId == renewal.Id && m.ToEmail == "ap@acme.example");
        Assert.Contains(messages, m => m.Template == "renewal-confirmation" && m.ToEmail == "jane@acme.example");
        var next = (await MilestonesAsync(subscription.Id)).Where(m => m.TermNumber == 2).ToList();
        Assert.Equal(
            [(MilestoneKind.Reminder, Date("2030-09-17")), (MilestoneKind.Reminder, Date("2030-11-16")),
             (MilestoneKind.CancellationDeadline, Date("2030-11-16")), (MilestoneKind.Anniversary, Date("2031-01-15"))],
            next.Select(m => (m.Kind, m.Date)));
        Assert.All(next, m => Assert.Equal(MilestoneStatus.Pending, m.Status));
    }

    [Fact]
    public async Task Licences_delivered_through_the_web_account_are_announced_at_each_renewal()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, delivery: LicenceDelivery.AvailableInWebAccount);

        await RunOnAsync(Date("2028-01-15"));

        await using var db = Database.Context();
        Assert.True((await db.Entitlements.SingleAsync(e => e.SubscriptionId == subscription.Id && e.TermNumber == 2)).AvailableInWebAccount);
        Assert.Contains(await MessagesAsync(subscription.Id), m => m.Template == "licence-available");
    }

    [Fact]
    public async Task A_subscription_started_on_29_february_renews_on_28_february_and_comes_back_in_leap_years()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2028-02-29"), years: 1);

        foreach (var day in new[] { "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29" })
        {
            await RunOnAsync(Date(day));
        }

        await using var db = Database.Context();
        var terms = await db.Terms.AsNoTracking().Where(t => t.SubscriptionId == subscription.Id).OrderBy(t => t.Number).ToListAsync();
        Assert.Equal(
            [(1, Date("2028-02-29"), Date("2029-02-28")), (2, Date("2029-02-28"), Date("2030-02-28")), (3, Date("2030-02-28"), Date("2031-02-28")),
             (4, Date("2031-02-28"), Date("2032-02-29")), (5, Date("2032-02-29"), Date("2033-02-28"))],
            terms.Select(t => (t.Number, t.Start, t.End)));
    }

    [Fact]
    public async Task After_30_days_without_a_run_everything_due_runs_once_and_stale_reminders_are_skipped_with_their_reason()
    {
        // A: its 60-day reminder falls in the outage, its renewal after it: the reminder still helps.
        var a = await Book.SellAsync((await Book.AccountAsync("Alpha")).Id, Date("2026-02-10"), years: 1);
        // B: a policy with a last reminder 10 days before renewal; that reminder and the renewal
        // both fall in the outage, so the reminder is past its purpose.
        var shortNotice = await Book.PolicyAsync("short-reminder", "120,60,10");
        var b = await Book.SellAsync((await Book.AccountAsync("Beta")).Id, Date("2025-12-20"), years: 1, policyId: shortNotice);
        await RunOnAsync(Date("2025-12-31"));
        await RunOnAsync(Date("2026-11-30")); // the last run before the outage

        var catchUp = await RunOnAsync(Date("2026-12-30"));

        var aMilestones = await MilestonesAsync(a.Id);
        var bMilestones = (await MilestonesAsync(b.Id)).Where(m => m.TermNumber == 1).ToList();
        Assert.Equal((MilestoneStatus.Done, MilestoneOutcomes.Reminded), Outcome(aMilestones, MilestoneKind.Reminder, 60));
        Assert.Equal((MilestoneStatus.Done, MilestoneOutcomes.RenewalCertain), Outcome(aMilestones, MilestoneKind.CancellationDeadline));
        Assert.Equal((MilestoneStatus.Done, MilestoneOutcomes.Reminded), Outcome(bMilestones, MilestoneKind.Reminder, 60));
        Assert.Equal((MilestoneStatus.Skipped, MilestoneOutcomes.RenewalDatePassed), Outcome(bMilestones, MilestoneKind.Reminder, 10));
        Assert.Equal((MilestoneStatus.Done, MilestoneOutcomes.Renewed), Outcome(bMilestones, MilestoneKind.Anniversary));
        Assert.Equal(2, (await MessagesAsync(a.Id)).Count(m => m.Template == "reminder" && m.Payload.Contains("\"days\":60", StringComparison.Ordinal)));
        Assert.DoesNotContain(await MessagesAsync(b.Id), m => m.Template == "reminder" && m.Payload.Contains("\"days\":10", StringComparison.Ordinal));
        Assert.Single(await InvoicesAsync(b.Id), i => i.Kind == InvoiceKind.Renewal);
        Assert.Equal(0, (await RunOnAsync(Date("2026-12-30"))).Executed);
        await using var db = Database.Context();
        var audit = await db.Audit.Where(x => x.Entity == "milestone").GroupBy(x => x.EntityId).Select(g => g.Count()).ToListAsync();
        Assert.All(audit, count => Assert.Equal(1, count));
        Assert.True(catchUp.Skipped >= 1);
    }

    [Fact]
    public async Task After_a_long_outage_only_the_latest_due_reminder_goes_out()
    {
        var subscription = await Book.SellAsync((await Book.AccountAsync()).Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-04-15"));

        await RunOnAsync(Date("2027-11-20")); // both 2027-09-17 and 2027-11-16 passed while nothing ran

        var milestones = await MilestonesAsync(subscription.Id);
        Assert.Equal((MilestoneStatus.Skipped, MilestoneOutcomes.SupersededByLaterReminder), Outcome(milestones, MilestoneKind.Reminder, 120));
        Assert.Equal((MilestoneStatus.Done, MilestoneOutcomes.Reminded), Outcome(milestones, MilestoneKind.Reminder, 60));
    }

    [Fact]
    public async Task A_contract_imported_mid_term_sends_nothing_for_dates_already_past()
    {
        Clock.Reset(Instant.FromUtc(2028, 6, 1, 9, 0));
        var subscription = await Book.ImportAsync((await Book.AccountAsync()).Id, Date("2027-01-15"));

        var now = await Engine().RunAsync(Clock.GetCurrentInstant());

        Assert.Equal(0, now.Executed);
        Assert.Empty(await MessagesAsync(subscription.Id));
        var milestones = await MilestonesAsync(subscription.Id);
        Assert.All(milestones.Where(m => m.Date < Date("2028-06-01")), m => Assert.Equal((MilestoneStatus.Skipped, MilestoneOutcomes.BeforeImport), (m.Status, m.Outcome)));
        Assert.Equal(3, milestones.Count(m => m.Status == MilestoneStatus.Skipped)); // day one, check-in, invoice for year 2

        await RunOnAsync(Date("2029-01-15"));

        Assert.Equal([Date("2029-01-15")], (await InvoicesAsync(subscription.Id)).Select(i => i.PeriodStart));
    }

    [Fact]
    public async Task A_contract_imported_years_after_its_start_begins_in_the_renewal_term_that_covers_today()
    {
        Clock.Reset(Instant.FromUtc(2031, 3, 1, 9, 0));
        var subscription = await Book.ImportAsync((await Book.AccountAsync()).Id, Date("2027-01-15"), years: 1);

        var milestones = await MilestonesAsync(subscription.Id);

        Assert.All(milestones, m => Assert.Equal(5, m.TermNumber)); // 2031-01-15 to 2032-01-15
        Assert.Equal(Date("2032-01-15"), milestones.Single(m => m.Kind == MilestoneKind.Anniversary).Date);
    }

    [Fact]
    public async Task A_notice_on_time_ends_the_subscription_at_the_term_end_without_renewal()
    {
        var subscription = await Book.ExampleAsync();
        await RunOnAsync(Date("2029-11-01"));
        Clock.Reset(Instant.FromUtc(2029, 11, 16, 22, 30)); // 23:30 in Paris on the deadline day
        await using (var db = Database.Context())
        {
            var notice = new WrittenNotice(Clock.GetCurrentInstant(), NoticeChannel.UploadedLetter, "Jane Primary", Hash, NoticeFiler.Customer);
            var stored = await new CancellationService(db, Clock).FileAsync(subscription.Id, notice, "customer");
            Assert.True(stored.IsOnTime);
        }

        await RunOnAsync(Date("2029-11-17"));
        await using (var db = Database.Context())
        {
            Assert.Equal(SubscriptionStatus.Ending, (await db.Subscriptions.SingleAsync(s => s.Id == subscription.Id)).Status);
        }

        await RunOnAsync(Date("2030-01-15"));

        await using var check = Database.Context();
        var stored2 = await check.Subscriptions.SingleAsync(s => s.Id == subscription.Id);
        Assert.Equal((SubscriptionStatus.Ended, Date("2030-01-15")), (stored2.Status, stored2.EndsOn));
        Assert.False(await check.Terms.AnyAsync(t => t.SubscriptionId == subscription.Id && t.Number == 2));
        Assert.DoesNotContain(await InvoicesAsync(subscription.Id), i => i.Kind == InvoiceKind.Renewal);
        var messages = await MessagesAsync(subscription.Id);
        Assert.Contains(messages, m => m.Template == "subscription-ended");
        Assert.Contains(messages, m => m.Template == "cancellation-acknowledgement" && m.Payload.Contains("\"on_time\":true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_late_notice_renews_once_more_and_ends_the_subscription_after_the_next_term()
    {
        var subscription = await Book.ExampleAsync();
        Clock.Reset(Instant.FromUtc(2029, 11, 16, 23, 30)); // already 17 November in Paris
        await using (var db = Database.Context())
        {
            var notice = new WrittenNotice(Clock.GetCurrentInstant(), NoticeChannel.Email, "Jane Primary", Hash, NoticeFiler.Advisor);
            Assert.False((await new CancellationService(db, Clock).FileAsync(subscription.Id, notice, "advisor")).IsOnTime);
        }

        await RunOnAsync(Date("2030-01-15"));
        await RunOnAsync(Date("2030-09-17"));
        await RunOnAsync(Date("2031-01-15"));

        await using var check = Database.Context();
        var stored = await check.Subscriptions.SingleAsync(s => s.Id == subscription.Id);
        Assert.Equal((SubscriptionStatus.Ended, Date("2031-01-15"), 2), (stored.Status, stored.EndsOn, stored.CurrentTermNumber));
        Assert.Single(await InvoicesAsync(subscription.Id), i => i.Kind == InvoiceKind.Renewal);
        var term2 = await MilestonesAsync(subscription.Id);
        Assert.Equal((MilestoneStatus.Skipped, MilestoneOutcomes.CancellationFiled), Outcome(term2.Where(m => m.TermNumber == 2).ToList(), MilestoneKind.Reminder, 120));
    }

    [Fact]
    public async Task A_withdrawn_notice_lets_the_subscription_renew()
    {
        var subscription = await Book.ExampleAsync();
        Clock.Reset(Instant.FromUtc(2029, 10, 1, 9, 0));
        long noticeId;
        await using (var db = Database.Context())
        {
            var notice = new WrittenNotice(Clock.GetCurrentInstant(), NoticeChannel.UploadedLetter, "Jane Primary", Hash, NoticeFiler.Customer);
            noticeId = (await new CancellationService(db, Clock).FileAsync(subscription.Id, notice, "customer")).Id;
        }

        await RunOnAsync(Date("2029-11-20"));
        Clock.Reset(Instant.FromUtc(2029, 12, 1, 9, 0));
        await using (var db = Database.Context())
        {
            await new CancellationService(db, Clock).WithdrawAsync(noticeId, "customer");
        }

        await RunOnAsync(Date("2030-01-15"));

        await using var check = Database.Context();
        var stored = await check.Subscriptions.SingleAsync(s => s.Id == subscription.Id);
        Assert.Equal((SubscriptionStatus.Active, 2), (stored.Status, stored.CurrentTermNumber));
    }

    [Fact]
    public async Task A_partner_only_contract_refuses_the_customers_notice_and_stores_nothing()
    {
        var contract = await Book.PartnerContractAsync(noticeDays: 90, filedByPartnerOnly: true);
        var subscription = await Book.SellAsync((await Book.AccountAsync()).Id, Date("2027-01-15"), partnerContractId: contract);
        await using var db = Database.Context();
        var notice = new WrittenNotice(Clock.GetCurrentInstant(), NoticeChannel.UploadedLetter, "Jane Primary", Hash, NoticeFiler.Customer);

        var refused = await Assert.ThrowsAsync<Domain.DomainException>(() => new CancellationService(db, Clock).FileAsync(subscription.Id, notice, "customer"));

        Assert.Equal(Domain.DomainErrors.NoticeMustComeFromPartner, refused.Code);
        await using var check = Database.Context();
        Assert.Empty(await check.CancellationNotices.ToListAsync());
        Assert.Empty(await check.Outbox.ToListAsync());
    }

    [Fact]
    public async Task A_partner_contract_moves_the_cancellation_deadline()
    {
        var contract = await Book.PartnerContractAsync(noticeDays: 90);
        var subscription = await Book.SellAsync((await Book.AccountAsync()).Id, Date("2027-01-15"), partnerContractId: contract);

        var deadline = (await MilestonesAsync(subscription.Id)).Single(m => m.Kind == MilestoneKind.CancellationDeadline);

        Assert.Equal(Date("2029-10-17"), deadline.Date);
    }

    private static (MilestoneStatus, string?) Outcome(List<Milestone> milestones, MilestoneKind kind, int variant = 0)
    {
        var m = milestones.Single(x => x.Kind == kind && x.Variant == variant);
        return (m.Status, m.Outcome);
    }
}
