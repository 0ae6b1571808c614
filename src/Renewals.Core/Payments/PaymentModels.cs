using System.Globalization;
using NodaTime;
using Renewals.Domain;
using Renewals.Domain.Payments;
using Renewals.Domain.Text;

namespace Renewals.Core.Payments;

/// <summary>A payment as typed (by hand, through the API): text, checked and worded in the user's language by the service.</summary>
/// <param name="InvoiceNumbers">The invoices it pays, in the order they are settled: each takes what it still owes until the amount is used.</param>
public sealed record PaymentInput(string? ReceivedOn, string? Amount, string? Currency, string? Reference, IReadOnlyList<string> InvoiceNumbers);

/// <summary>What a payment settled on one invoice, and where the invoice stands after it.</summary>
public sealed record AllocationView(long InvoiceId, string InvoiceNumber, decimal Amount, InvoiceStatus StatusAfter);

/// <summary>A recorded payment; <see cref="Reversal"/> says when and why it was reversed, if it was.</summary>
public sealed record PaymentView(
    long Id, LocalDate ReceivedOn, decimal Amount, string Currency, string Reference, string Source, Instant RecordedAt, string RecordedBy,
    IReadOnlyList<AllocationView> Allocations, PaymentReversal? Reversal = null);

/// <summary>A payment taken back (a bounced transfer): when, by whom, why.</summary>
public sealed record PaymentReversal(Instant At, string By, string Reason);

/// <summary>An invoice as finance lists it, with its status and what is still owed.</summary>
public sealed record FinanceInvoice(
    long Id, string Number, long AccountId, string Account, LocalDate IssuedOn, LocalDate DueOn, decimal Total, decimal Paid, decimal Balance,
    string Currency, InvoiceStatus Status, string? DisputeReason);

/// <summary>A statement line left for a person to decide: why, and the invoice numbers its reference names.</summary>
public sealed record UnmatchedLine(
    long Id, string TransactionId, LocalDate BookedOn, decimal Amount, string Currency, string Reference, string Reason, string? InvoiceNumbers);

/// <summary>What became of one line of an imported statement.</summary>
public sealed record StatementLineOutcome(
    int Line, string TransactionId, LocalDate BookedOn, decimal Amount, string Currency, string Reference, StatementOutcome Outcome, string? Reason,
    IReadOnlyList<string> Invoices);

public enum StatementOutcome
{
    Matched,
    Unmatched,

    /// <summary>Its transaction was imported before: nothing done again.</summary>
    AlreadyImported,
}

/// <summary>An imported statement: what each line became.</summary>
public sealed record StatementResult(IReadOnlyList<StatementLineOutcome> Lines)
{
    public int Matched => Lines.Count(l => l.Outcome == StatementOutcome.Matched);

    public int Unmatched => Lines.Count(l => l.Outcome == StatementOutcome.Unmatched);

    public int AlreadyImported => Lines.Count(l => l.Outcome == StatementOutcome.AlreadyImported);
}

/// <summary>A fault of a statement file: the line (1 is the header), the column when one is at fault, and the rule broken.</summary>
public sealed record StatementError(int Line, string? Column, string Code, IReadOnlyList<object> Arguments)
{
    public string Describe(CultureInfo culture)
    {
        var reason = DomainText.Format(Code, culture, [.. Arguments]);
        return Column is null ? reason : DomainText.Format(DomainErrors.StatementLine, culture, Line, Column, reason);
    }
}

/// <summary>A statement refused whole: every fault with its line; nothing was stored.</summary>
public sealed class StatementRefusedException(IReadOnlyList<StatementError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.Describe(CultureInfo.InvariantCulture))))
{
    public IReadOnlyList<StatementError> Errors { get; } = errors;
}
