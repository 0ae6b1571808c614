using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Invoicing;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Tests;

public sealed class PurchaseOrderTests() : DatabaseTest(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task An_order_registered_for_a_subscription_covers_its_coming_term_and_appears_on_the_renewal_invoice()
    {
        var account = await Book.AccountAsync(requiresPurchaseOrder: true, advisorId: await Book.AdvisorAsync());
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-01-15"));

        var order = await RegisterAsync(new NewPurchaseOrder(account.Id, "  PO-2028-118  ", subscription.Id, Amount: 12_000m));
        await RunOnAsync(Date("2027-11-16"));
        await RunOnAsync(Date("2028-01-15"));

        Assert.Equal(("PO-2028-118", Date("2028-01-15"), Date("2029-01-15")), (order.Number, order.ValidFrom, order.ValidUntil));
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
