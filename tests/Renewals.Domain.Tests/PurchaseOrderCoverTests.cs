using NodaTime;
using Renewals.Domain.Invoicing;

namespace Renewals.Domain.Tests;

/// <summary>
/// Which purchase order an invoice carries (<see cref="PurchaseOrderCover"/>): period edges
/// (the stored end is the day after the last day covered), standing orders in sequence,
/// the subscription's own orders before the account's.
/// </summary>
public sealed class PurchaseOrderCoverTests
{
    private const long Subscription = 7;
    private const long OtherSubscription = 8;

    [Theory]
    // The invoice for 15 January 2028 to 14 January 2029 is [2028-01-15, 2029-01-15).
    [InlineData("2028-01-15", "2029-01-15", true)] // the same period
    [InlineData("2028-01-01", "2029-12-31", true)] // a wider one
    [InlineData("2028-01-16", "2029-01-15", false)] // starts a day after the invoice
    [InlineData("2028-01-15", "2029-01-14", false)] // ends on the invoice's last day (that day is not covered)
    [InlineData("2027-01-15", "2028-01-15", false)] // the term before, touching
    [InlineData("2029-01-15", "2030-01-15", false)] // the term after, touching
    public void An_order_with_a_period_covers_an_invoice_whose_whole_period_lies_inside_it(string from, string until, bool covers)
    {
        var order = Order(1, Subscription, from, until, "2027-06-01");

        var found = PurchaseOrderCover.Find([order], Invoice("2028-01-15", "2029-01-15", issued: "2028-01-15"));

        Assert.Equal(covers ? "PO-1" : null, found?.Number);
    }

    [Fact]
    public void An_order_open_at_one_end_covers_from_its_first_day_on_or_up_to_its_end()
    {
        var from = Order(1, Subscription, "2028-01-15", null, "2027-06-01");
        var until = Order(2, OtherSubscription, null, "2029-01-15", "2027-06-01");

        Assert.Equal("PO-1", PurchaseOrderCover.Find([from], Invoice("2031-01-15", "2032-01-15", "2031-01-15"))?.Number);
        Assert.Null(PurchaseOrderCover.Find([from], Invoice("2028-01-14", "2029-01-14", "2028-01-14")));
        Assert.Equal("PO-2", PurchaseOrderCover.Find([until], Invoice("2028-01-15", "2029-01-15", "2028-01-15", OtherSubscription))?.Number);
        Assert.Null(PurchaseOrderCover.Find([until], Invoice("2028-01-16", "2029-01-16", "2028-01-16", OtherSubscription)));
    }

    [Fact]
    public void Yearly_invoices_of_a_three_year_term_started_on_29_february_are_covered_by_an_order_for_the_second_year_only()
    {
        // Started 29 February 2028: yearly invoices [2028-02-29, 2029-02-28), [2029-02-28, 2030-02-28), [2030-02-28, 2031-02-28).
        var second = Order(1, Subscription, "2029-02-28", "2030-02-28", "2028-03-01");
        LocalDate[] starts = [new(2028, 2, 29), new(2029, 2, 28), new(2030, 2, 28)];
        LocalDate[] ends = [new(2029, 2, 28), new(2030, 2, 28), new(2031, 2, 28)];

        var found = starts.Select((s, i) => PurchaseOrderCover.Find([second], new InvoiceToCover(Subscription, s, ends[i], s))?.Number);

        Assert.Equal([null, "PO-1", null], found);
    }

    [Fact]
    public void A_standing_order_covers_every_invoice_from_its_registration_until_the_next_standing_order_is_registered()
    {
        var first = Order(1, Subscription, null, null, "2027-03-10");
        var second = Order(2, Subscription, null, null, "2028-06-01");
        PurchaseOrderTerms[] orders = [second, first];

        // Issued before either was registered: the first order, which came to put it right.
        Assert.Equal("PO-1", PurchaseOrderCover.Find(orders, Invoice("2027-01-15", "2028-01-15", "2027-01-15"))?.Number);
        // Issued on the day the first was registered, and while it stood.
        Assert.Equal("PO-1", PurchaseOrderCover.Find(orders, Invoice("2027-03-10", "2028-03-10", "2027-03-10"))?.Number);
        Assert.Equal("PO-1", PurchaseOrderCover.Find(orders, Invoice("2028-01-15", "2029-01-15", "2028-01-15"))?.Number);
        Assert.Equal("PO-1", PurchaseOrderCover.Find(orders, Invoice("2028-05-31", "2029-05-31", "2028-05-31"))?.Number);
        // From the day the second was registered.
        Assert.Equal("PO-2", PurchaseOrderCover.Find(orders, Invoice("2028-06-01", "2029-06-01", "2028-06-01"))?.Number);
        Assert.Equal("PO-2", PurchaseOrderCover.Find(orders, Invoice("2029-01-15", "2030-01-15", "2029-01-15"))?.Number);
    }

    [Fact]
    public void An_order_for_a_period_registered_after_a_standing_one_wins_inside_its_period_only()
    {
        var standing = Order(1, Subscription, null, null, "2027-01-02");
        var renewal = Order(2, Subscription, "2029-01-15", "2030-01-15", "2028-11-20");
        PurchaseOrderTerms[] orders = [standing, renewal];

        Assert.Equal("PO-1", PurchaseOrderCover.Find(orders, Invoice("2028-01-15", "2029-01-15", "2028-01-15"))?.Number);
        Assert.Equal("PO-2", PurchaseOrderCover.Find(orders, Invoice("2029-01-15", "2030-01-15", "2029-01-15"))?.Number);
        Assert.Equal("PO-1", PurchaseOrderCover.Find(orders, Invoice("2030-01-15", "2031-01-15", "2030-01-15"))?.Number);
    }

    [Fact]
    public void An_account_wide_order_covers_a_subscription_only_where_none_of_its_own_does()
    {
        var accountWide = Order(1, null, null, null, "2027-01-02");
        var own = Order(2, Subscription, "2028-01-15", "2029-01-15", "2026-12-01");
        PurchaseOrderTerms[] orders = [accountWide, own];

        // The subscription's own order wins though it was registered earlier.
        Assert.Equal("PO-2", PurchaseOrderCover.Find(orders, Invoice("2028-01-15", "2029-01-15", "2028-01-15"))?.Number);
        // Outside its own order's period, and for another subscription, the account's order.
        Assert.Equal("PO-1", PurchaseOrderCover.Find(orders, Invoice("2029-01-15", "2030-01-15", "2029-01-15"))?.Number);
        Assert.Equal("PO-1", PurchaseOrderCover.Find(orders, Invoice("2028-01-15", "2029-01-15", "2028-01-15", OtherSubscription))?.Number);
    }

    [Fact]
    public void Another_subscriptions_order_never_covers_an_invoice()
    {
        var theirs = Order(1, OtherSubscription, null, null, "2027-01-02");

        Assert.Null(PurchaseOrderCover.Find([theirs], Invoice("2028-01-15", "2029-01-15", "2028-01-15")));
    }

    [Fact]
    public void Of_two_orders_covering_the_same_period_the_latest_registered_wins()
    {
        var earlier = Order(5, Subscription, "2028-01-01", "2029-12-31", "2027-09-01");
        var later = Order(3, Subscription, "2028-01-15", "2029-01-15", "2027-10-01");

        Assert.Equal("PO-3", PurchaseOrderCover.Find([later, earlier], Invoice("2028-01-15", "2029-01-15", "2028-01-15"))?.Number);
    }

    private static PurchaseOrderTerms Order(long id, long? subscription, string? from, string? until, string registeredOn)
    {
        var on = Dates.Parse(registeredOn);
        return new PurchaseOrderTerms(id, subscription, $"PO-{id}", from is null ? null : Dates.Parse(from), until is null ? null : Dates.Parse(until),
            on.AtMidnight().InUtc().ToInstant().Plus(Duration.FromHours(10)), on);
    }

    private static InvoiceToCover Invoice(string start, string end, string issued, long subscription = Subscription) =>
        new(subscription, Dates.Parse(start), Dates.Parse(end), Dates.Parse(issued));
}
