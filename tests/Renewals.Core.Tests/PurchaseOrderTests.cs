using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Invoicing;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Tests;

public sealed class PurchaseOrderTests() : PurchaseOrderTest(DatabaseProvider.Sqlite);

public sealed class PostgresPurchaseOrderTests() : PurchaseOrderTest(DatabaseProvider.PostgreSql);

/// <summary>Registering purchase orders and the invoices the engine issues with them (rule 1), on both databases.</summary>
public abstract class PurchaseOrderTest(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task An_order_registered_for_a_subscription_without_a_period_stands_for_it_and_appears_on_the_renewal_invoice()
    {
        var account = await Book.AccountAsync(requiresPurchaseOrder: true, advisorId: await Book.AdvisorAsync());
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-01-15"));

        var order = await RegisterAsync(new NewPurchaseOrder(account.Id, "  PO-2028-118  ", subscription.Id, Amount: 12_000m));
        await RunOnAsync(Date("2027-11-16"));
        await RunOnAsync(Date("2028-01-15"));

        Assert.Equal(("PO-2028-118", (LocalDate?)null, (LocalDate?)null), (order.Number, order.ValidFrom, order.ValidUntil));
        var invoices = await InvoicesAsync(subscription.Id);
        Assert.Equal([null, "PO-2028-118"], invoices.Select(i => i.PurchaseOrderNumber));
        // With an order registered, the reminder no longer asks for one and no advisor task is raised.
        var reminder = (await MessagesAsync(subscription.Id)).First(m => m.Template == "reminder");
        Assert.DoesNotContain("issue-purchase-order", reminder.Payload, StringComparison.Ordinal);
        await using var db = Database.Context();
        Assert.False(await db.AdvisorTasks.AnyAsync(t => t.Kind == "purchase-order-missing"));
        Assert.Single(await db.Audit.Where(a => a.Action == "purchase-order.registered").ToListAsync());
    }

    [Fact]
    public async Task Without_an_order_the_reminders_ask_for_one_and_the_60_day_reminder_raises_an_advisor_task()
    {
        var account = await Book.AccountAsync(requiresPurchaseOrder: true, advisorId: await Book.AdvisorAsync());
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);

        await RunOnAsync(Date("2027-09-17"));
        await using (var db = Database.Context())
        {
            Assert.False(await db.AdvisorTasks.AnyAsync(t => t.Kind == "purchase-order-missing"));
        }

        await RunOnAsync(Date("2027-11-16"));

        var reminders = (await MessagesAsync(subscription.Id)).Where(m => m.Template == "reminder").ToList();
        Assert.Equal(4, reminders.Count); // 120 and 60 days, primary and accounts payable
        Assert.All(reminders, r => Assert.Contains("issue-purchase-order", r.Payload, StringComparison.Ordinal));
        await using var check = Database.Context();
        var task = Assert.Single(await check.AdvisorTasks.Where(t => t.Kind == "purchase-order-missing").ToListAsync());
        Assert.Equal(Date("2027-11-16"), task.DueOn);
    }

    [Theory]
    [InlineData("", null, null, null, DomainErrors.PurchaseOrderNumber)]
    [InlineData("PO\n1", null, null, null, DomainErrors.PurchaseOrderNumber)]
    [InlineData("PO-1", "2028-01-15", "2028-01-15", null, DomainErrors.PurchaseOrderPeriod)]
    [InlineData("PO-1", "2028-02-29", "2028-01-31", null, DomainErrors.PurchaseOrderPeriod)]
    [InlineData("PO-1", null, null, "0", DomainErrors.PurchaseOrderAmount)]
    [InlineData("PO-1", null, null, "-5", DomainErrors.PurchaseOrderAmount)]
    [InlineData("PO-EXISTING", null, null, null, DomainErrors.PurchaseOrderDuplicate)]
    public async Task A_bad_order_is_refused_with_its_reason_and_nothing_is_stored(string number, string? from, string? until, string? amount, string code)
    {
        var account = await Book.AccountAsync();
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-EXISTING"));
        var before = await CountAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() => RegisterAsync(new NewPurchaseOrder(
            account.Id, number, null, from is null ? null : Date(from), until is null ? null : Date(until),
            amount is null ? null : decimal.Parse(amount, CultureInfo.InvariantCulture))));

        Assert.Equal(code, refused.Code);
        Assert.False(string.IsNullOrWhiteSpace(refused.Describe(CultureInfo.GetCultureInfo("fr"))));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task An_order_for_another_customers_subscription_is_refused()
    {
        var mine = await Book.AccountAsync("Mine");
        var theirs = await Book.AccountAsync("Theirs");
        var subscription = await Book.SellAsync(theirs.Id, Date("2027-01-15"));

        var refused = await Assert.ThrowsAsync<DomainException>(() => RegisterAsync(new NewPurchaseOrder(mine.Id, "PO-9", subscription.Id)));

        Assert.Equal(DomainErrors.SubscriptionOfAnotherAccount, refused.Code);
        Assert.Equal((0, 0), await CountAsync());
    }

    [Fact]
    public async Task A_french_period_error_writes_its_dates_the_french_way()
    {
        var account = await Book.AccountAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() => RegisterAsync(new NewPurchaseOrder(account.Id, "PO-1", null, Date("2028-03-01"), Date("2028-02-29"))));

        Assert.Contains("du 1er mars 2028 au 29 février 2028", refused.Describe(CultureInfo.GetCultureInfo("fr")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_order_prints_on_the_invoice_of_an_account_that_does_not_require_one()
    {
        var account = await Book.AccountAsync(requiresPurchaseOrder: false);
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-VOLUNTARY"));
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);

        await RunOnAsync(Date("2027-01-15"));

        Assert.Equal(["PO-VOLUNTARY"], (await InvoicesAsync(subscription.Id)).Select(i => i.PurchaseOrderNumber));
    }

    [Fact]
    public async Task Two_standing_orders_in_sequence_cover_the_yearly_invoices_of_a_three_year_term_and_the_renewal()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 3);
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-FIRST", subscription.Id));
        await RunOnAsync(Date("2028-01-15"));

        Clock.Reset(Instant.FromUtc(2028, 6, 1, 9, 0));
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-SECOND", subscription.Id));
        await RunOnAsync(Date("2030-01-15"));

        var invoices = await InvoicesAsync(subscription.Id);
        Assert.Equal(
            [(InvoiceKind.Initial, "PO-FIRST"), (InvoiceKind.Yearly, "PO-FIRST"), (InvoiceKind.Yearly, "PO-SECOND"), (InvoiceKind.Renewal, "PO-SECOND")],
            invoices.Select(i => (i.Kind, i.PurchaseOrderNumber)));
        Assert.Equal([Date("2027-01-15"), Date("2028-01-15"), Date("2029-01-15"), Date("2030-01-15")], invoices.Select(i => i.PeriodStart));
    }

    [Fact]
    public async Task An_account_wide_order_covers_the_subscriptions_that_have_none_of_their_own()
    {
        var account = await Book.AccountAsync();
        var own = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        var other = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, product: "RND-FARM");
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-ACCOUNT"));
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-OWN", own.Id, Date("2027-01-15"), Date("2028-01-15")));

        await RunOnAsync(Date("2028-01-15"));

        Assert.Equal(["PO-OWN", "PO-ACCOUNT"], (await InvoicesAsync(own.Id)).Select(i => i.PurchaseOrderNumber));
        Assert.Equal(["PO-ACCOUNT", "PO-ACCOUNT"], (await InvoicesAsync(other.Id)).Select(i => i.PurchaseOrderNumber));
    }

    [Fact]
    public async Task An_order_for_the_second_year_of_a_term_started_on_29_february_prints_on_that_yearly_invoice_only()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2028-02-29"), years: 3);
        // The second year runs from 28 February 2029 to 27 February 2030: --until is the day after.
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-YEAR-2", subscription.Id, Date("2029-02-28"), Date("2030-02-28")));

        await RunOnAsync(Date("2030-02-28"));

        var invoices = await InvoicesAsync(subscription.Id);
        Assert.Equal([Date("2028-02-29"), Date("2029-02-28"), Date("2030-02-28")], invoices.Select(i => i.PeriodStart));
        Assert.Equal([null, "PO-YEAR-2", null], invoices.Select(i => i.PurchaseOrderNumber));
    }

    [Fact]
    public async Task A_concurrent_registration_of_the_same_number_that_gets_past_the_check_is_refused_as_a_duplicate()
    {
        var account = await Book.AccountAsync();
        await using var other = Database.Context();
        await using var transaction = await other.Database.BeginTransactionAsync();
        other.PurchaseOrders.Add(new PurchaseOrder { AccountId = account.Id, Number = "PO-RACE", RegisteredAt = Clock.GetCurrentInstant() });
        await other.SaveChangesAsync();

        // The other registration is not committed: the check cannot see it, the insert waits on it.
        // On a thread of its own: SQLite's driver blocks the calling thread while it waits.
        var racing = Task.Run(() => RegisterAsync(new NewPurchaseOrder(account.Id, "PO-RACE")));
        await Waiting.UntilBlockedAsync(Database, Provider, racing);
        await transaction.CommitAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() => racing);
        Assert.Equal(DomainErrors.PurchaseOrderDuplicate, refused.Code);
        Assert.Equal((1, 0), await CountAsync());
    }

    private async Task<PurchaseOrder> RegisterAsync(NewPurchaseOrder order)
    {
        await using var db = Database.Context();
        return await new PurchaseOrderService(db, Clock).RegisterAsync(order, "customer");
    }

    private async Task<(int Orders, int Audit)> CountAsync()
    {
        await using var db = Database.Context();
        return (await db.PurchaseOrders.CountAsync(), await db.Audit.CountAsync(a => a.Action == "purchase-order.registered"));
    }
}
