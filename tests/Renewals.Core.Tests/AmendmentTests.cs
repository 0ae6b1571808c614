using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Amendments;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteAmendmentTests() : AmendmentTests(DatabaseProvider.Sqlite);

public sealed class PostgresAmendmentTests() : AmendmentTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Amending the coming term end to end: the advisor proposes, the customer confirms, the engine
/// renews the amended lines at the anniversary, once; a proposal left unconfirmed changes
/// nothing; the deadline holds unless an administrator overrides it; mid-term additions are
/// invoiced pro rata. Acme bought 10 × 1,000.00 € of DSN-PRO for a year from 15 January 2027
/// (Paris, VAT 20 %): its cancellation deadline is 16 November 2027.
/// </summary>
public abstract class AmendmentTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly AmendmentRequest TwelveSeatsAndAFarm = new(
        [new AmendLine("DSN-PRO", 12, DiscountPercent: 10m), new AmendLine("RND-FARM", 2, 500m)], "Team grows to 12 designers, 10 % loyalty discount");

    [Fact]
    public async Task The_renewal_invoice_carries_the_confirmed_amendment_exactly_once()
    {
        var (account, subscription, advisor) = await SoldAsync();
        AtParis(2027, 11, 16, 23, 59);
        var proposed = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwelveSeatsAndAFarm));
        Assert.Equal((AmendmentStatus.Proposed, 2, Date("2028-01-15"), Date("2029-01-15"), Date("2027-11-16"), Date("2027-11-16")),
            (proposed.Status, proposed.TermNumber, proposed.TermStart, proposed.TermEnd, proposed.MadeOn, proposed.Deadline));

        AtParis(2027, 12, 2, 10, 0);
        var confirmed = await Use(s => s.ConfirmByCustomerAsync(new PortalCustomer(account.Id), proposed.Id, "customer:jane@acme.example"));
        Assert.Equal((AmendmentStatus.Confirmed, AmendmentConfirmation.Customer, "customer:jane@acme.example"),
            (confirmed.Status, confirmed.ConfirmedThrough!.Value, confirmed.ConfirmedBy));

        await RunOnAsync(Date("2028-01-15"));
        await RunOnAsync(Date("2028-01-15"));
        await RunOnAsync(Date("2028-01-16"));

        var renewal = Assert.Single(await InvoicesAsync(subscription.Id), i => i.Kind == InvoiceKind.Renewal);
        // 12 × (1,000.00 − 10 %) = 10,800.00; 2 × 500.00 = 1,000.00; net 11,800.00; VAT 2,360.00.
        Assert.Equal([("Product DSN-PRO", 12, 900.00m, 10_800.00m), ("Product RND-FARM", 2, 500.00m, 1_000.00m)],
            renewal.Lines.OrderBy(l => l.Description, StringComparer.Ordinal).Select(l => (l.Description, l.Quantity, l.UnitPrice, l.Amount)));
        Assert.Equal((Date("2028-01-15"), Date("2029-01-15"), 11_800.00m, 14_160.00m), (renewal.PeriodStart, renewal.PeriodEnd, renewal.Net, renewal.Total));

        await using var db = Database.Context();
        Assert.Equal([("DSN-PRO", 12), ("RND-FARM", 2)], (await db.Entitlements.AsNoTracking().Where(e => e.SubscriptionId == subscription.Id && e.TermNumber == 2)
            .Join(db.Products, e => e.ProductId, p => p.Id, (e, p) => new { p.Code, e.Quantity }).OrderBy(x => x.Code).ToListAsync()).Select(x => (x.Code, x.Quantity)));
        Assert.Equal([(12, 900.00m), (2, 500.00m)], (await db.SubscriptionLines.AsNoTracking().Where(l => l.SubscriptionId == subscription.Id)
            .ToListAsync()).OrderByDescending(l => l.Quantity).Select(l => (l.Quantity, l.YearlyUnitPrice)));
        Assert.Equal(AmendmentStatus.Applied, (await db.Amendments.AsNoTracking().SingleAsync()).Status);
        Assert.Equal(["amendment.applied", "amendment.confirmed", "amendment.proposed"],
            (await db.Audit.AsNoTracking().Where(a => a.Entity == "amendment").Select(a => a.Action).ToListAsync()).Order(StringComparer.Ordinal));

        // The next anniversary renews the same lines; the applied amendment is not applied again.
        await RunOnAsync(Date("2029-01-15"));
        var renewals = (await InvoicesAsync(subscription.Id)).Where(i => i.Kind == InvoiceKind.Renewal).ToList();
        Assert.Equal([11_800.00m, 11_800.00m], renewals.Select(i => i.Net));
        Assert.Equal(1, await db.Audit.AsNoTracking().CountAsync(a => a.Action == "amendment.applied"));
    }

    [Fact]
    public async Task A_proposal_left_unconfirmed_changes_nothing()
    {
        var (_, subscription, advisor) = await SoldAsync();
        AtParis(2027, 10, 1, 9, 0);
        await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwelveSeatsAndAFarm));

        await RunOnAsync(Date("2028-01-15"));

        var renewal = Assert.Single(await InvoicesAsync(subscription.Id), i => i.Kind == InvoiceKind.Renewal);
        Assert.Equal([("Product DSN-PRO", 10, 1_000.00m, 10_000.00m)], renewal.Lines.Select(l => (l.Description, l.Quantity, l.UnitPrice, l.Amount)));
        var refused = await Assert.ThrowsAsync<DomainException>(() => Use(s => s.ConfirmBySignedOrderAsync(new Actor.Advisor(advisor), 1, "SO-1")));
        Assert.Equal(DomainErrors.AmendmentTermStarted, refused.Code);
    }

    [Fact]
    public async Task The_day_after_the_deadline_the_advisor_is_refused_and_nothing_is_stored_but_an_administrator_may_override_with_a_reason()
    {
        var (_, subscription, advisor) = await SoldAsync();
        AtParis(2027, 11, 17, 0, 30);

        var late = await Assert.ThrowsAsync<DomainException>(() => Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwelveSeatsAndAFarm)));
        Assert.Equal(DomainErrors.AmendmentAfterDeadline, late.Code);
        var notAdmin = await Assert.ThrowsAsync<DomainException>(() => Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id,
            TwelveSeatsAndAFarm with { DeadlineOverrideReason = "please" })));
        Assert.Equal(DomainErrors.AmendmentOverrideAdministratorsOnly, notAdmin.Code);
        await using (var db = Database.Context())
        {
            Assert.Equal(0, await db.Amendments.CountAsync());
            Assert.Equal(0, await db.Audit.CountAsync(a => a.Entity == "amendment"));
        }

        var overridden = await Use(s => s.ProposeAsync(new Actor.Admin("alice"), subscription.Id,
            TwelveSeatsAndAFarm with { DeadlineOverrideReason = "Signed order arrived by post on the deadline day" }));

        Assert.Equal(("admin:alice", "Signed order arrived by post on the deadline day", Date("2027-11-17")),
            (overridden.MadeBy, overridden.DeadlineOverrideReason, overridden.MadeOn));
        await using var check = Database.Context();
        var audit = await check.Audit.AsNoTracking().SingleAsync(a => a.Action == "amendment.proposed");
        Assert.Equal("admin:alice", audit.Actor);
        Assert.Contains("overridden: Signed order arrived by post on the deadline day", audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_proposal_supersedes_the_open_one_and_a_signed_order_confirms_it()
    {
        var (_, subscription, advisor) = await SoldAsync();
        AtParis(2027, 9, 1, 9, 0);
        var first = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwelveSeatsAndAFarm));
        var second = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, new AmendmentRequest([new AmendLine("DSN-PRO", 8)], "Fewer seats")));

        var blank = await Assert.ThrowsAsync<DomainException>(() => Use(s => s.ConfirmBySignedOrderAsync(new Actor.Advisor(advisor), second.Id, "  ")));
        Assert.Equal(DomainErrors.AmendmentSignedOrderRequired, blank.Code);
        var confirmed = await Use(s => s.ConfirmBySignedOrderAsync(new Actor.Advisor(advisor), second.Id, "SO-2027-118"));

        var all = await Use(s => s.ListAsync(new Actor.Advisor(advisor), subscription.Id));
        Assert.Equal([(first.Id, AmendmentStatus.Superseded), (second.Id, AmendmentStatus.Confirmed)], all.Select(a => (a.Id, a.Status)));
        Assert.Equal(("SO-2027-118", AmendmentConfirmation.SignedOrder), (confirmed.SignedOrderReference, confirmed.ConfirmedThrough!.Value));
        var again = await Assert.ThrowsAsync<DomainException>(() => Use(s => s.ConfirmBySignedOrderAsync(new Actor.Advisor(advisor), second.Id, "SO-2")));
        Assert.Equal(DomainErrors.AmendmentAlreadyConfirmed, again.Code);

        var withdrawn = await Use(s => s.WithdrawAsync(new Actor.Advisor(advisor), second.Id));
        Assert.Equal(AmendmentStatus.Withdrawn, withdrawn.Status);
        await RunOnAsync(Date("2028-01-15"));
        var renewal = Assert.Single(await InvoicesAsync(subscription.Id), i => i.Kind == InvoiceKind.Renewal);
        Assert.Equal(10_000.00m, renewal.Net);
    }

    [Fact]
    public async Task Another_advisors_subscription_and_another_customers_amendment_are_unknown()
    {
        var (_, subscription, advisor) = await SoldAsync();
        var other = await Book.AdvisorAsync("Other Advisor");
        var stranger = await Book.AccountAsync(name: "Globex");
        AtParis(2027, 9, 1, 9, 0);

        var unknown = await Assert.ThrowsAsync<DomainException>(() => Use(s => s.ProposeAsync(new Actor.Advisor(other), subscription.Id, TwelveSeatsAndAFarm)));
        Assert.Equal(DomainErrors.SubscriptionUnknown, unknown.Code);
        Assert.Null(await Use(s => s.ContextAsync(new Actor.Advisor(other), subscription.Id)));
        var mine = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwelveSeatsAndAFarm));
        var notTheirs = await Assert.ThrowsAsync<DomainException>(() => Use(s => s.ConfirmByCustomerAsync(new PortalCustomer(stranger.Id), mine.Id, "customer:x")));
        Assert.Equal(DomainErrors.AmendmentUnknown, notTheirs.Code);
        Assert.Empty(await Use(s => s.ForCustomerAsync(new PortalCustomer(stranger.Id))));
    }

    [Fact]
    public async Task Seats_added_on_29_february_are_invoiced_pro_rata_at_once_and_renewed_in_full()
    {
        // 10 × 1,200.00 € from 15 June 2027 for a year; 3 more from 29 February 2028:
        // 1,200.00 × 3 × 107 ÷ 366 = 1,052.46; VAT 20 % 210.49; total 1,262.95.
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor);
        var subscription = await Book.SellAsync(account.Id, Date("2027-06-15"), years: 1, quantity: 10, yearlyUnitPrice: 1200m);
        await RunOnAsync(Date("2027-06-15"));
        AtParis(2028, 2, 29, 10, 0);

        var added = await Use(s => s.AddNowAsync(new Actor.Advisor(advisor), subscription.Id, "DSN-PRO", 3, null, "Three designers join"));

        Assert.Equal(("INV-2028-000001", Date("2028-02-29"), Date("2028-06-15"), 107, 366, 1_052.46m, 1_262.95m),
            (added.InvoiceNumber, added.StartsOn, added.BilledUntil, added.DaysBilled, added.DaysInBillingYear, added.Net, added.Total));
        var invoice = (await InvoicesAsync(subscription.Id)).Single(i => i.Kind == InvoiceKind.Addition);
        Assert.Equal(("INV-2028-000001", Date("2028-02-29"), Date("2028-03-30"), "ap@acme.example"),
            (invoice.Number, invoice.IssuedOn, invoice.DueOn, (await MessagesAsync(subscription.Id)).Single(m => m.InvoiceId == invoice.Id).ToEmail));
        await using (var db = Database.Context())
        {
            Assert.Equal(13, (await db.SubscriptionLines.AsNoTracking().SingleAsync(l => l.SubscriptionId == subscription.Id)).Quantity);
            Assert.Equal(13, (await db.Entitlements.AsNoTracking().SingleAsync(e => e.SubscriptionId == subscription.Id && e.TermNumber == 1)).Quantity);
            Assert.Equal("advisor:" + advisor, (await db.Audit.AsNoTracking().SingleAsync(a => a.Action == "subscription.addition")).Actor);
        }

        await RunOnAsync(Date("2028-06-15"));
        var renewal = (await InvoicesAsync(subscription.Id)).Single(i => i.Kind == InvoiceKind.Renewal);
        Assert.Equal([(13, 15_600.00m)], renewal.Lines.Select(l => (l.Quantity, l.Amount)));
    }

    [Fact]
    public async Task Reminders_list_the_amended_lines_once_confirmed_and_the_current_ones_before()
    {
        var (account, subscription, advisor) = await SoldAsync();
        AtParis(2027, 9, 1, 9, 0);
        var proposed = await Use(s => s.ProposeAsync(new Actor.Advisor(advisor), subscription.Id, TwelveSeatsAndAFarm));

        // 120 days before 15 January 2028: 17 September 2027; 60 days before: 16 November 2027.
        await RunOnAsync(Date("2027-09-17"));
        var before = await ReminderTextAsync(Instant.FromUtc(2027, 9, 17, 8, 0));
        await Use(s => s.ConfirmByCustomerAsync(new PortalCustomer(account.Id), proposed.Id, "customer:jane@acme.example"));
        await RunOnAsync(Date("2027-11-16"));
        var after = await ReminderTextAsync(Instant.FromUtc(2027, 11, 16, 8, 0));

        Assert.Contains("- Product DSN-PRO x 10", before, StringComparison.Ordinal);
        Assert.DoesNotContain("RND-FARM", before, StringComparison.Ordinal);
        Assert.Contains("- Product DSN-PRO x 12", after, StringComparison.Ordinal);
        Assert.Contains("- Product RND-FARM x 2", after, StringComparison.Ordinal);
    }

    private async Task<string> ReminderTextAsync(Instant at)
    {
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var composer = new Messaging.MessageComposer(new Messaging.MessageRenderer(Messaging.TemplateLibrary.FromSetting(null)), new Messaging.DeliveryOptions());
        await using (var transport = new Messaging.SmtpTransport(new Messaging.SmtpSettings("127.0.0.1", server.Port, Messaging.SmtpTls.None)))
        {
            await new Messaging.OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, new FakeClock(at)).DispatchAsync(at);
        }

        var reminder = server.Received.Single(m => m.Headers["X-Renewals-Template"] == Messaging.MessageKinds.Reminder
            && m.To.Mailboxes.Single().Address.StartsWith("jane@", StringComparison.Ordinal));
        return reminder.TextBody ?? "";
    }

    private async Task<(Account Account, Subscription Subscription, long Advisor)> SoldAsync()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor);
        await Book.ProductAsync("RND-FARM", "Rendering");
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, quantity: 10, yearlyUnitPrice: 1000m);
        await RunOnAsync(Date("2027-01-15"));
        return (account, subscription, advisor);
    }

    private void AtParis(int year, int month, int day, int hour, int minute) =>
        Clock.Reset(new LocalDateTime(year, month, day, hour, minute).InZoneStrictly(DateTimeZoneProviders.Tzdb["Europe/Paris"]).ToInstant());

    private async Task<T> Use<T>(Func<AmendmentService, Task<T>> use)
    {
        await using var db = Database.Context();
        return await use(new AmendmentService(db, Clock));
    }
}
