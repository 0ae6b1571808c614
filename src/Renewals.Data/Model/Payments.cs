using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>Where a payment came from: typed, stored as these codes.</summary>
public static class PaymentSources
{
    public const string Manual = "manual";
    public const string Statement = "statement";
    public const string Api = "api";
}

/// <summary>
/// Money received from a customer: recorded by hand, through the API, or from a bank statement's
/// line. What it pays is in its <see cref="PaymentAllocation"/> rows: one payment may settle
/// several invoices, or part of one.
/// </summary>
public sealed class Payment
{
    public long Id { get; set; }

    /// <summary>The day the bank credited it.</summary>
    public LocalDate ReceivedOn { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    /// <summary>The reference as the bank shows it.</summary>
    public required string Reference { get; set; }

    /// <summary>manual, statement or api (<see cref="PaymentSources"/>).</summary>
    public required string Source { get; set; }

    /// <summary>The statement line it came from, when it did.</summary>
    public long? StatementLineId { get; set; }

    public Instant RecordedAt { get; set; }

    /// <summary>The actor's audit name.</summary>
    public required string RecordedBy { get; set; }

    /// <summary>When finance reversed it (a bounced payment): its allocations then count for nothing; null while it stands.</summary>
    public Instant? ReversedAt { get; set; }

    public string? ReversedBy { get; set; }

    public string? ReversalReason { get; set; }
}

/// <summary>The part of a payment that settles one invoice.</summary>
public sealed class PaymentAllocation
{
    public long Id { get; set; }

    public long PaymentId { get; set; }

    public long InvoiceId { get; set; }

    public decimal Amount { get; set; }
}

/// <summary>
/// The payer disputes an invoice: while <see cref="ClearedAt"/> is null nobody chases it. A
/// dispute cleared and raised again is a new row, so the history stays.
/// </summary>
public sealed class InvoiceDispute
{
    public long Id { get; set; }

    public long InvoiceId { get; set; }

    public required string Reason { get; set; }

    public Instant OpenedAt { get; set; }

    public required string OpenedBy { get; set; }

    public Instant? ClearedAt { get; set; }

    public string? ClearedBy { get; set; }

    public string? ClearReason { get; set; }
}

public enum StatementLineState
{
    /// <summary>Matched to invoices by their number and amount when imported: a payment was recorded.</summary>
    Matched,

    /// <summary>Waiting for a person to decide.</summary>
    Unmatched,

    /// <summary>A person allocated it by hand later.</summary>
    AllocatedByHand,

    /// <summary>A person decided it pays no invoice (a refund, a bank's own credit) and set it aside with a reason.</summary>
    Dismissed,
}

/// <summary>Why a statement line was left for a person: a typed list, stored as these codes.</summary>
public static class UnmatchedReasons
{
    public const string NoInvoiceNumber = "no-invoice-number";
    public const string UnknownNumber = "unknown-number";
    public const string AmountMismatch = "amount-mismatch";
    public const string AlreadyPaid = "already-paid";

    public static IReadOnlyList<string> All { get; } = [NoInvoiceNumber, UnknownNumber, AmountMismatch, AlreadyPaid];
}

/// <summary>
/// One credit line of an imported bank statement. Its <see cref="TransactionId"/> (the bank's
/// own id of the transaction) is unique: importing the same statement again finds its lines
/// already there and pays nothing twice.
/// </summary>
public sealed class StatementLine
{
    public long Id { get; set; }

    public required string TransactionId { get; set; }

    public LocalDate BookedOn { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public required string Reference { get; set; }

    public StatementLineState State { get; set; }

    /// <summary>Why it was not matched (<see cref="UnmatchedReasons"/>); null when matched.</summary>
    public string? UnmatchedReason { get; set; }

    /// <summary>The invoice numbers found in the reference, comma-separated.</summary>
    public string? InvoiceNumbers { get; set; }

    public long? PaymentId { get; set; }

    /// <summary>The file it came from, as uploaded.</summary>
    public required string FileName { get; set; }

    public Instant ImportedAt { get; set; }

    public required string ImportedBy { get; set; }

    public Instant? DismissedAt { get; set; }

    public string? DismissedBy { get; set; }

    /// <summary>Why a person set it aside.</summary>
    public string? DismissReason { get; set; }
}

/// <summary>
/// A step of chasing an overdue invoice: stage 0 is the day it was first seen overdue (the
/// invoice.overdue event), stages 1, 2, 3... the polite reminders at the policy's offsets. Unique
/// on (invoice, stage): each happens once.
/// </summary>
public sealed class CollectionStep
{
    public long Id { get; set; }

    public long InvoiceId { get; set; }

    public int Stage { get; set; }

    /// <summary>The vendor's date the step fell on.</summary>
    public LocalDate FallsOn { get; set; }

    /// <summary>The reminder written to the outbox; null for stage 0.</summary>
    public long? OutboxMessageId { get; set; }

    public Instant CreatedAt { get; set; }
}

internal sealed class PaymentMapping :
    IEntityTypeConfiguration<Payment>, IEntityTypeConfiguration<PaymentAllocation>, IEntityTypeConfiguration<InvoiceDispute>,
    IEntityTypeConfiguration<StatementLine>, IEntityTypeConfiguration<CollectionStep>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.Property(p => p.Amount).HasPrecision(18, 2);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.Reference).HasMaxLength(300);
        builder.Property(p => p.Source).HasMaxLength(16);
        builder.Property(p => p.RecordedBy).HasMaxLength(100);
        builder.Property(p => p.ReversedBy).HasMaxLength(100);
        builder.Property(p => p.ReversalReason).HasMaxLength(500);
        builder.HasOne<StatementLine>().WithMany().HasForeignKey(p => p.StatementLineId);
        // A statement line becomes one payment at most.
        builder.HasIndex(p => p.StatementLineId).IsUnique();
    }

    public void Configure(EntityTypeBuilder<PaymentAllocation> builder)
    {
        builder.Property(a => a.Amount).HasPrecision(18, 2);
        builder.HasOne<Payment>().WithMany().HasForeignKey(a => a.PaymentId);
        builder.HasOne<Invoice>().WithMany().HasForeignKey(a => a.InvoiceId);
        builder.HasIndex(a => new { a.PaymentId, a.InvoiceId }).IsUnique();
        builder.HasIndex(a => a.InvoiceId);
    }

    public void Configure(EntityTypeBuilder<InvoiceDispute> builder)
    {
        builder.Property(d => d.Reason).HasMaxLength(500);
        builder.Property(d => d.ClearReason).HasMaxLength(500);
        builder.Property(d => d.OpenedBy).HasMaxLength(100);
        builder.Property(d => d.ClearedBy).HasMaxLength(100);
        builder.HasOne<Invoice>().WithMany().HasForeignKey(d => d.InvoiceId);
        builder.HasIndex(d => d.InvoiceId);
    }

    public void Configure(EntityTypeBuilder<StatementLine> builder)
    {
        builder.Property(l => l.TransactionId).HasMaxLength(100);
        builder.Property(l => l.Amount).HasPrecision(18, 2);
        builder.Property(l => l.Currency).HasMaxLength(3);
        builder.Property(l => l.Reference).HasMaxLength(300);
        builder.Property(l => l.UnmatchedReason).HasMaxLength(32);
        builder.Property(l => l.InvoiceNumbers).HasMaxLength(300);
        builder.Property(l => l.FileName).HasMaxLength(260);
        builder.Property(l => l.ImportedBy).HasMaxLength(100);
        builder.Property(l => l.DismissedBy).HasMaxLength(100);
        builder.Property(l => l.DismissReason).HasMaxLength(500);
        // The line's identity: the same transaction imported again is recognised, never paid twice.
        builder.HasIndex(l => l.TransactionId).IsUnique();
        builder.HasIndex(l => l.State);
    }

    public void Configure(EntityTypeBuilder<CollectionStep> builder)
    {
        builder.HasOne<Invoice>().WithMany().HasForeignKey(s => s.InvoiceId);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(s => s.OutboxMessageId);
        // Each stage of each invoice happens once, whichever instance runs the pass.
        builder.HasIndex(s => new { s.InvoiceId, s.Stage }).IsUnique();
    }
}
