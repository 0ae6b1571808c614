using NodaTime;

namespace Renewals.Data.Model;

/// <summary>A licence right: products and quantities for a validity period.</summary>
public sealed class LicenceEntitlement
{
    public long Id { get; set; }

    public long SubscriptionId { get; set; }

    public long ProductId { get; set; }

    public int Quantity { get; set; }

    public LocalDate ValidFrom { get; set; }

    /// <summary>Exclusive end.</summary>
    public LocalDate ValidUntil { get; set; }

    public int TermNumber { get; set; }

    /// <summary>A new licence file waits in the web account (rather than an in-place extension).</summary>
    public bool AvailableInWebAccount { get; set; }
}

public enum InvoiceKind
{
    /// <summary>Day 1 of the first term.</summary>
    Initial,

    /// <summary>Yearly invoice on an anniversary of the start inside a multi-year term.</summary>
    Yearly,

    /// <summary>The anniversary's invoice for the 12 months of a renewal term.</summary>
    Renewal,

    /// <summary>More units from a day inside the term, pro rata to the billing period's end.</summary>
    Addition,
}

/// <summary>
/// An invoice. One per milestone at most (unique <see cref="MilestoneId"/>). The number is
/// given when it is issued and never changes.
/// </summary>
public sealed class Invoice
{
    public long Id { get; set; }

    public long AccountId { get; set; }

    public long SubscriptionId { get; set; }

    /// <summary>The milestone that issued it; null for an invoice reissued by an operator.</summary>
    public long? MilestoneId { get; set; }

    public InvoiceKind Kind { get; set; }

    /// <summary>The invoice this one replaces, cancelled by a credit note.</summary>
    public long? ReplacesInvoiceId { get; set; }

    /// <summary>INV-yyyy-nnnnnn, gapless per year; null until numbered.</summary>
    public string? Number { get; set; }

    public LocalDate IssuedOn { get; set; }

    public LocalDate PeriodStart { get; set; }

    public LocalDate PeriodEnd { get; set; }

    public LocalDate DueOn { get; set; }

    public required string Currency { get; set; }

    public decimal Net { get; set; }

    public decimal VatRate { get; set; }

    public decimal Total { get; set; }

    public long BillToContactId { get; set; }

    public string? PurchaseOrderNumber { get; set; }

    public List<InvoiceLine> Lines { get; } = [];
}

public sealed class InvoiceLine
{
    public long Id { get; set; }

    public long InvoiceId { get; set; }

    public long ProductId { get; set; }

    public required string Description { get; set; }

    public int Quantity { get; set; }

    public LocalDate PeriodStart { get; set; }

    public LocalDate PeriodEnd { get; set; }

    public decimal UnitPrice { get; set; }

    public decimal Amount { get; set; }
}

/// <summary>
/// A credit note: cancels an issued invoice in full (for instance to reissue it with its
/// purchase order). Numbered CN-yyyy-nnnnnn, gapless per year, in its own sequence.
/// </summary>
public sealed class CreditNote
{
    public long Id { get; set; }

    public required string Number { get; set; }

    public long AccountId { get; set; }

    public long SubscriptionId { get; set; }

    /// <summary>The invoice it cancels; an invoice is credited once at most.</summary>
    public long InvoiceId { get; set; }

    public LocalDate IssuedOn { get; set; }

    public required string Currency { get; set; }

    public decimal Net { get; set; }

    public decimal VatRate { get; set; }

    public decimal Total { get; set; }

    public long BillToContactId { get; set; }

    public required string Reason { get; set; }

    public Instant CreatedAt { get; set; }
}

/// <summary>The last credit-note number given in a year.</summary>
public sealed class CreditNoteSequence
{
    public int Year { get; set; }

    public int LastNumber { get; set; }
}

/// <summary>A purchase-order number the customer registered for a period.</summary>
public sealed class PurchaseOrder
{
    public long Id { get; set; }

    public long AccountId { get; set; }

    public long? SubscriptionId { get; set; }

    public required string Number { get; set; }

    public LocalDate? ValidFrom { get; set; }

    public LocalDate? ValidUntil { get; set; }

    public decimal? Amount { get; set; }

    public Instant RegisteredAt { get; set; }
}

public enum OutboxStatus
{
    Pending,
    Sent,
    DeadLettered,

    /// <summary>Past its purpose when it came to be delivered (a renewal gone by, a notice filed since): not sent, never retried.</summary>
    Discarded,
}

/// <summary>
/// A message waiting to be delivered. Written in the transaction of what caused it;
/// delivered at least once by the dispatcher with the same <see cref="MessageId"/>.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>The template: confirmation-letter, welcome, invoice, reminder, ...</summary>
    public required string Template { get; set; }

    /// <summary>Null with <see cref="ContactId"/> for a callback acknowledgement to someone no contact matches.</summary>
    public long? AccountId { get; set; }

    public long? ContactId { get; set; }

    public required string ToEmail { get; set; }

    public required string Language { get; set; }

    public long? SubscriptionId { get; set; }

    public long? MilestoneId { get; set; }

    public long? InvoiceId { get; set; }

    /// <summary>The credit note the message carries.</summary>
    public long? CreditNoteId { get; set; }

    /// <summary>The review meeting whose invitation the message carries.</summary>
    public long? MeetingId { get; set; }

    /// <summary>The values the template needs, as JSON.</summary>
    public required string Payload { get; set; }

    /// <summary>Stable across retries, so a receiver can drop a duplicate delivery.</summary>
    public required string MessageId { get; set; }

    public OutboxStatus Status { get; set; }

    public int Attempts { get; set; }

    public Instant CreatedAt { get; set; }

    public Instant NextAttemptAt { get; set; }

    public Instant? SentAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>
/// A delivered message as it left: its subject, its two bodies (UTF-8, Brotli-compressed) and
/// the names of its attachments, written in the transaction that records the delivery. The
/// customer's message centre shows this copy, not a message composed again from today's data.
/// </summary>
public sealed class SentMessageCopy
{
    public long OutboxId { get; set; }

    public required string Subject { get; set; }

    public required byte[] TextBody { get; set; }

    public required byte[] HtmlBody { get; set; }

    /// <summary>The attachments' file names, one a line; empty when there were none.</summary>
    public required string Attachments { get; set; }
}

public enum AdvisorTaskStatus
{
    Open,
    Done,
}

/// <summary>Something a renewal advisor must do for an account.</summary>
public sealed class AdvisorTask
{
    public long Id { get; set; }

    public long? AdvisorId { get; set; }

    /// <summary>Null for a callback asked from the public page by someone no contact matches.</summary>
    public long? AccountId { get; set; }

    public long? SubscriptionId { get; set; }

    public long? MilestoneId { get; set; }

    /// <summary>schedule-review-meeting, purchase-order-missing, callback, ...</summary>
    public required string Kind { get; set; }

    public LocalDate DueOn { get; set; }

    public bool RecommendedValidation { get; set; }

    /// <summary>What the advisor needs to know, such as the products new to the customer.</summary>
    public string? Details { get; set; }

    public AdvisorTaskStatus Status { get; set; }

    public Instant CreatedAt { get; set; }

    public Instant? ClosedAt { get; set; }

    /// <summary>What the advisor recorded when closing it.</summary>
    public string? Outcome { get; set; }
}

/// <summary>A written cancellation notice filed against a subscription.</summary>
public sealed class CancellationNotice
{
    public long Id { get; set; }

    public long SubscriptionId { get; set; }

    public Instant ReceivedAt { get; set; }

    public Renewals.Domain.Cancellations.NoticeChannel Channel { get; set; }

    public Renewals.Domain.Cancellations.NoticeFiler FiledBy { get; set; }

    public required string SignedBy { get; set; }

    public required string DocumentSha256 { get; set; }

    /// <summary>Where the scanned letter is stored, relative to the letters folder; null when none was kept.</summary>
    public string? LetterFile { get; set; }

    public int ReceivedInTerm { get; set; }

    public bool IsOnTime { get; set; }

    public LocalDate EffectiveEndDate { get; set; }

    public Instant? WithdrawnAt { get; set; }
}

/// <summary>One line of the audit trail: who did what to which row, and when.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public Instant At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string Entity { get; set; }

    public long EntityId { get; set; }

    public string? Details { get; set; }
}

/// <summary>The last invoice number given in a year: numbers run 1, 2, 3... without gaps.</summary>
public sealed class InvoiceSequence
{
    public int Year { get; set; }

    public int LastNumber { get; set; }
}

/// <summary>
/// A review meeting between an advisor and a customer contact. Its <see cref="Uid"/> never
/// changes, and each update raises <see cref="Sequence"/>, so calendars replace the meeting.
/// </summary>
public sealed class ReviewMeeting
{
    public long Id { get; set; }

    public long AccountId { get; set; }

    public long AdvisorId { get; set; }

    public long ContactId { get; set; }

    /// <summary>The check-in task the meeting answers, when there is one.</summary>
    public long? AdvisorTaskId { get; set; }

    public required string Uid { get; set; }

    public int Sequence { get; set; }

    /// <summary>Local start in <see cref="TimeZoneId"/>.</summary>
    public LocalDateTime Start { get; set; }

    public int DurationMinutes { get; set; }

    public required string TimeZoneId { get; set; }

    public string? Location { get; set; }

    public bool IsCancelled { get; set; }

    public Instant UpdatedAt { get; set; }
}
