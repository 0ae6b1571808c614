using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>Where an amendment of a coming term stands.</summary>
public enum AmendmentStatus
{
    /// <summary>Made by the advisor, an administrator or the API; waits for the customer's confirmation or a signed order. Changes nothing yet.</summary>
    Proposed,

    /// <summary>Confirmed by the customer or by a signed order: the anniversary renews its lines.</summary>
    Confirmed,

    /// <summary>Taken back before it took effect.</summary>
    Withdrawn,

    /// <summary>Replaced by a later amendment of the same term.</summary>
    Superseded,

    /// <summary>The anniversary renewed its lines (the subscription's lines are now these).</summary>
    Applied,
}

/// <summary>How an amendment was confirmed.</summary>
public enum AmendmentConfirmation
{
    /// <summary>By a customer contact in the web account.</summary>
    Customer,

    /// <summary>By the advisor, an administrator or the API recording the customer's signed order.</summary>
    SignedOrder,
}

/// <summary>
/// A change of what a subscription's coming term (<see cref="TermNumber"/>) will hold, dated,
/// with who made it and why. At most one open (proposed or confirmed) amendment a subscription
/// and term: a unique index filtered on the open statuses.
/// </summary>
public sealed class Amendment
{
    public long Id { get; set; }

    public long SubscriptionId { get; set; }

    /// <summary>The term it changes: the one that starts at the current term's end.</summary>
    public int TermNumber { get; set; }

    public AmendmentStatus Status { get; set; }

    public required string Reason { get; set; }

    public Instant MadeAt { get; set; }

    /// <summary>The customer's local date it was made on, held to <see cref="Deadline"/>.</summary>
    public LocalDate MadeOn { get; set; }

    /// <summary>The audit name of who made it ("advisor:3", "admin:alice", "api:5"...).</summary>
    public required string MadeBy { get; set; }

    /// <summary>The current term's cancellation deadline when it was made.</summary>
    public LocalDate Deadline { get; set; }

    /// <summary>Set when made after the deadline: the administrator's reason for overriding it.</summary>
    public string? DeadlineOverrideReason { get; set; }

    public Instant? ConfirmedAt { get; set; }

    public string? ConfirmedBy { get; set; }

    public AmendmentConfirmation? ConfirmedThrough { get; set; }

    /// <summary>The signed order's reference when confirmed through one.</summary>
    public string? SignedOrderReference { get; set; }

    /// <summary>When it was withdrawn, superseded or applied.</summary>
    public Instant? ClosedAt { get; set; }

    public string? ClosedBy { get; set; }

    public List<AmendmentLine> Lines { get; } = [];

    /// <summary>How many years the amended term lasts once confirmed: 1 unless the renewal policy allows and the amendment chose more.</summary>
    public int RenewalYears { get; set; } = 1;
}

/// <summary>A line of the amended term: the product, its quantity, its yearly unit price and the discount off it.</summary>
public sealed class AmendmentLine
{
    public long Id { get; set; }

    public long AmendmentId { get; set; }

    public long ProductId { get; set; }

    public int Quantity { get; set; }

    /// <summary>Price of one unit for 12 months before the discount.</summary>
    public decimal YearlyUnitPrice { get; set; }

    /// <summary>Percent off <see cref="YearlyUnitPrice"/>, 0 when none.</summary>
    public decimal DiscountPercent { get; set; }

    /// <summary>The unit price after the discount, to the cent: what the renewal invoice charges.</summary>
    public decimal NetYearlyUnitPrice { get; set; }

    public required string Currency { get; set; }
}

/// <summary>More units of a product from a day inside the current term, invoiced at once pro rata to the billing period's end.</summary>
public sealed class MidTermAdditionRow
{
    public long Id { get; set; }

    public long SubscriptionId { get; set; }

    public long ProductId { get; set; }

    public int Quantity { get; set; }

    public decimal YearlyUnitPrice { get; set; }

    public LocalDate StartsOn { get; set; }

    /// <summary>Exclusive end of the period billed.</summary>
    public LocalDate BilledUntil { get; set; }

    public int DaysBilled { get; set; }

    public int DaysInBillingYear { get; set; }

    public long InvoiceId { get; set; }

    public required string Reason { get; set; }

    public Instant MadeAt { get; set; }

    public required string MadeBy { get; set; }
}

internal sealed class AmendmentMapping : IEntityTypeConfiguration<Amendment>
{
    public void Configure(EntityTypeBuilder<Amendment> builder)
    {
        builder.ToTable("amendments");
        builder.Property(a => a.Reason).HasMaxLength(500);
        builder.Property(a => a.MadeBy).HasMaxLength(120);
        builder.Property(a => a.DeadlineOverrideReason).HasMaxLength(500);
        builder.Property(a => a.ConfirmedBy).HasMaxLength(120);
        builder.Property(a => a.ClosedBy).HasMaxLength(120);
        builder.Property(a => a.SignedOrderReference).HasMaxLength(100);
        // Amendments made before lengths existed renew for one year.
        builder.Property(a => a.RenewalYears).HasDefaultValue(1).HasSentinel(0);
        builder.HasOne<Subscription>().WithMany().HasForeignKey(a => a.SubscriptionId);
        builder.HasMany(a => a.Lines).WithOne().HasForeignKey(l => l.AmendmentId);
        builder.HasIndex(a => new { a.SubscriptionId, a.TermNumber });
        // One open amendment a subscription and term (0 = proposed, 1 = confirmed).
        builder.HasIndex(a => new { a.SubscriptionId, a.TermNumber }, "OpenAmendment").IsUnique().HasFilter("status IN (0, 1)").HasDatabaseName("ix_amendments_open");
    }
}

internal sealed class AmendmentLineMapping : IEntityTypeConfiguration<AmendmentLine>
{
    public void Configure(EntityTypeBuilder<AmendmentLine> builder)
    {
        builder.ToTable("amendment_lines");
        builder.Property(l => l.YearlyUnitPrice).HasPrecision(18, 2);
        builder.Property(l => l.DiscountPercent).HasPrecision(5, 2);
        builder.Property(l => l.NetYearlyUnitPrice).HasPrecision(18, 2);
        builder.Property(l => l.Currency).HasMaxLength(3);
        builder.HasOne<Product>().WithMany().HasForeignKey(l => l.ProductId);
    }
}

internal sealed class MidTermAdditionMapping : IEntityTypeConfiguration<MidTermAdditionRow>
{
    public void Configure(EntityTypeBuilder<MidTermAdditionRow> builder)
    {
        builder.ToTable("mid_term_additions");
        builder.Property(a => a.YearlyUnitPrice).HasPrecision(18, 2);
        builder.Property(a => a.Reason).HasMaxLength(500);
        builder.Property(a => a.MadeBy).HasMaxLength(120);
        builder.HasOne<Subscription>().WithMany().HasForeignKey(a => a.SubscriptionId);
        builder.HasOne<Product>().WithMany().HasForeignKey(a => a.ProductId);
        builder.HasOne<Invoice>().WithMany().HasForeignKey(a => a.InvoiceId);
        builder.HasIndex(a => a.SubscriptionId);
        builder.HasIndex(a => a.InvoiceId).IsUnique();
    }
}
