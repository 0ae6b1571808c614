using NodaTime;
using Renewals.Data.Model;
using Milestone = Renewals.Domain.Timeline.Milestone;

namespace Renewals.Core.Portal;

/// <summary>Who is asking, as the web account knows them: a customer bound to one account.</summary>
public sealed record PortalCustomer(long AccountId);

/// <summary>What the customer should do now about one subscription.</summary>
public enum NextStepKind
{
    /// <summary>Nothing: it renews on its own on <see cref="NextStep.Date"/>.</summary>
    NothingToDo,

    /// <summary>The account needs a purchase order for the coming term, due by the renewal on <see cref="NextStep.Date"/>.</summary>
    RegisterPurchaseOrder,

    /// <summary>Renewal is near: to stop it, a written notice must arrive by <see cref="NextStep.Date"/>.</summary>
    DecideBeforeDeadline,

    /// <summary>A written notice was filed: the subscription ends on <see cref="NextStep.Date"/>.</summary>
    NoticeFiled,

    /// <summary>The subscription ended on <see cref="NextStep.Date"/>.</summary>
    Ended,
}

public sealed record NextStep(NextStepKind Kind, LocalDate? Date);

/// <summary>Whether a key date has been carried out.</summary>
public enum KeyDateState
{
    Pending,
    Done,
    Skipped,
}

/// <summary>One key date of the current term: the domain's step (title and reason in either language) and its state.</summary>
public sealed record PortalKeyDate(Milestone Step, KeyDateState State);

public sealed record PortalLine(string Code, string Name, int Quantity);

/// <summary>A subscription as the dashboard lists it.</summary>
public sealed record PortalSubscriptionSummary(
    long Id, IReadOnlyList<PortalLine> Lines, int TermNumber, LocalDate TermStart, LocalDate TermEnd,
    SubscriptionStatus Status, PortalKeyDate? NextKeyDate, NextStep NextStep);

public sealed record PortalDashboard(string AccountName, string Language, LocalDate Today, IReadOnlyList<PortalSubscriptionSummary> Subscriptions);

/// <summary>One subscription: its terms, products and the key dates of its current term.</summary>
public sealed record PortalSubscription(
    long Id, string AccountName, LocalDate Today, LocalDate Start, int InitialTermYears, int TermNumber, LocalDate TermStart,
    LocalDate TermEnd, SubscriptionStatus Status, LocalDate? EndsOn, string? Partner, IReadOnlyList<PortalLine> Lines,
    IReadOnlyList<PortalKeyDate> Timeline, NextStep NextStep);

public sealed record PortalInvoice(
    long Id, string Number, long SubscriptionId, LocalDate IssuedOn, LocalDate PeriodStart, LocalDate PeriodLastDay, LocalDate DueOn,
    decimal Total, string Currency, string? PurchaseOrderNumber, Renewals.Domain.Payments.InvoiceStatus Status = Renewals.Domain.Payments.InvoiceStatus.Issued);

public sealed record PortalCreditNote(string Number, string InvoiceNumber, LocalDate IssuedOn, decimal Total, string Currency, string Reason);

public sealed record PortalInvoices(IReadOnlyList<PortalInvoice> Invoices, IReadOnlyList<PortalCreditNote> CreditNotes);

/// <summary>A file to download: its name, media type and bytes.</summary>
public sealed record PortalFile(string FileName, string ContentType, byte[] Bytes);
