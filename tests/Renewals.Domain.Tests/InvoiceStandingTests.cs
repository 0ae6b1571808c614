using NodaTime;
using Renewals.Domain.Payments;

namespace Renewals.Domain.Tests;

/// <summary>
/// An invoice's status from its facts, at the edges. An invoice of 1,200.00 due on Sunday
/// 14 February 2027 (30 days after 15 January); the dates and amounts are worked out by hand.
/// </summary>
public sealed class InvoiceStandingTests
{
    private static readonly LocalDate Due = new(2027, 2, 14);

    private static InvoiceFacts Facts(decimal paid = 0m, bool credited = false, bool disputed = false) => new(1200.00m, paid, Due, credited, disputed);

    [Fact]
    public void On_the_due_day_itself_an_unpaid_invoice_is_still_issued_not_overdue() =>
        Assert.Equal(InvoiceStatus.Issued, InvoiceStanding.Of(Facts(), new LocalDate(2027, 2, 14)));

    [Fact]
    public void The_day_after_the_due_day_an_unpaid_invoice_is_overdue() =>
        Assert.Equal(InvoiceStatus.Overdue, InvoiceStanding.Of(Facts(), new LocalDate(2027, 2, 15)));

    [Fact]
    public void A_part_payment_before_the_due_date_makes_it_part_paid_and_after_it_the_rest_is_overdue()
    {
        Assert.Equal(InvoiceStatus.PartPaid, InvoiceStanding.Of(Facts(paid: 200.00m), new LocalDate(2027, 2, 14)));
        Assert.Equal(InvoiceStatus.Overdue, InvoiceStanding.Of(Facts(paid: 200.00m), new LocalDate(2027, 2, 15)));
        Assert.Equal(1000.00m, Facts(paid: 200.00m).Balance);
    }

    [Fact]
    public void Paid_in_full_is_paid_on_any_day_and_a_cent_short_is_not()
    {
        Assert.Equal(InvoiceStatus.Paid, InvoiceStanding.Of(Facts(paid: 1200.00m), new LocalDate(2027, 6, 1)));
        Assert.Equal(InvoiceStatus.Overdue, InvoiceStanding.Of(Facts(paid: 1199.99m), new LocalDate(2027, 6, 1)));
        Assert.Equal(0.01m, Facts(paid: 1199.99m).Balance);
    }

    [Fact]
    public void A_credit_note_wins_over_everything_and_a_dispute_stops_the_overdue_status_but_not_a_full_payment()
    {
        Assert.Equal(InvoiceStatus.Credited, InvoiceStanding.Of(Facts(paid: 1200.00m, credited: true, disputed: true), new LocalDate(2027, 6, 1)));
        Assert.Equal(InvoiceStatus.Disputed, InvoiceStanding.Of(Facts(disputed: true), new LocalDate(2027, 6, 1)));
        Assert.Equal(InvoiceStatus.Disputed, InvoiceStanding.Of(Facts(paid: 100m, disputed: true), new LocalDate(2027, 2, 1)));
        Assert.Equal(InvoiceStatus.Paid, InvoiceStanding.Of(Facts(paid: 1200.00m, disputed: true), new LocalDate(2027, 6, 1)));
    }

    [Fact]
    public void Paid_credited_and_disputed_stop_collection_the_others_do_not()
    {
        Assert.Equal(
            [InvoiceStatus.Paid, InvoiceStatus.Disputed, InvoiceStatus.Credited],
            Enum.GetValues<InvoiceStatus>().Where(InvoiceStanding.StopsCollection));
        Assert.Equal(["issued", "paid", "part-paid", "overdue", "disputed", "credited"], Enum.GetValues<InvoiceStatus>().Select(InvoiceStanding.Code));
    }

    [Theory]
    [InlineData("2027-02-20", null)] // 6 days late
    [InlineData("2027-02-21", 1)] // 7 days: the first reminder's day
    [InlineData("2027-03-06", 1)] // 20 days
    [InlineData("2027-03-07", 2)] // 21 days
    [InlineData("2027-03-20", 2)] // 34 days: after downtime, only the latest stage fallen
    [InlineData("2027-03-31", 3)] // 45 days
    [InlineData("2028-01-01", 3)]
    public void Reminder_stages_fall_at_7_21_and_45_days_after_the_due_date(string today, int? stage) =>
        Assert.Equal(stage, CollectionReminders.StageDue(Due, CollectionReminders.DefaultOffsets, NodaTime.Text.LocalDatePattern.Iso.Parse(today).Value));

    [Fact]
    public void Reminder_days_are_rising_whole_days_from_one()
    {
        Assert.Equal([7, 21, 45], CollectionReminders.ParseOffsets(" 7, 21,45 "));
        Assert.Equal([10], CollectionReminders.ParseOffsets("10"));
        foreach (var bad in new[] { "", "21,7", "7,7", "0,7", "-3", "7;21", "seven" })
        {
            Assert.Equal(DomainErrors.CollectionOffsets, Assert.Throws<DomainException>(() => CollectionReminders.ParseOffsets(bad)).Code);
        }
    }
}
