using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Access;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Invoicing;
using Renewals.Domain.Payments;

namespace Renewals.Core.Payments;

/// <summary>
/// Payments and disputes, for finance (or an administrator, or the operator): payments recorded by
/// hand or through the API and allocated to the invoices they name, a statement line left
/// unmatched allocated later by a person, disputes raised and cleared with their reason, and the
/// invoices with their status. Every write is one transaction with its audit row and, when an
/// invoice becomes paid, its invoice.paid event; input that breaks a rule stores nothing.
/// </summary>
/// <param name="seller">The configured vendor, whose zone dates the books.</param>
public sealed class PaymentService(RenewalsDbContext db, IClock clock, Invoicing.Seller seller)
{
    public const int MaxReference = 300;
    public const int MaxReason = 500;

    /// <summary>Numbered invoices with their status today (the vendor's date), newest first; only those of <paramref name="status"/> when given.</summary>
    public async Task<IReadOnlyList<FinanceInvoice>> InvoicesAsync(Actor actor, InvoiceStatus? status = null, long? accountId = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var rows = await db.Invoices.AsNoTracking().Where(i => i.Number != null && (accountId == null || i.AccountId == accountId))
            .Join(db.Accounts, i => i.AccountId, a => a.Id, (i, a) => new { i.Id, i.Number, i.AccountId, Account = a.Name, i.IssuedOn, i.DueOn, i.Total, i.Currency })
            .ToListAsync(ct);
        var today = seller.Today(clock.GetCurrentInstant());
        var ids = db.Invoices.Where(i => i.Number != null && (accountId == null || i.AccountId == accountId)).Select(i => i.Id);
        var states = await InvoiceStatuses.ReadAsync(db, ids, today, ct);
        var reasons = (await db.InvoiceDisputes.AsNoTracking().Where(d => d.ClearedAt == null).Select(d => new { d.InvoiceId, d.Reason }).ToListAsync(ct))
            .GroupBy(d => d.InvoiceId).ToDictionary(g => g.Key, g => g.First().Reason);
        return [.. rows
            .Select(r => (Row: r, State: states[r.Id]))
            .Where(x => status is null || x.State.Status == status)
            .OrderByDescending(x => x.Row.IssuedOn).ThenByDescending(x => x.Row.Number, StringComparer.Ordinal)
            .Select(x => new FinanceInvoice(x.Row.Id, x.Row.Number!, x.Row.AccountId, x.Row.Account, x.Row.IssuedOn, x.Row.DueOn, x.Row.Total,
                x.State.Paid, x.State.Balance, x.Row.Currency, x.State.Status, reasons.GetValueOrDefault(x.Row.Id)))];
    }

    /// <summary>The invoices of one account the actor may see (an advisor its book, finance and administrators any), with their status; empty otherwise.</summary>
    public async Task<IReadOnlyList<FinanceInvoice>> AccountInvoicesAsync(Actor actor, long accountId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!await db.Accounts.VisibleTo(actor).AnyAsync(a => a.Id == accountId, ct))
        {
            return [];
        }

        return await new PaymentService(db, clock, seller).InvoicesAsync(new Actor.OperatorConsole(), null, accountId, ct);
    }

    /// <summary>Records a payment and allocates it to the invoices it names, in their order.</summary>
    public async Task<PaymentView> RecordAsync(Actor actor, PaymentInput input, string source = PaymentSources.Manual, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        actor.RequireFinance();
        var now = clock.GetCurrentInstant();
        var today = seller.Today(now);
        var receivedOn = ParseDate(input.ReceivedOn);
        if (receivedOn > today)
        {
            throw new DomainException(DomainErrors.PaymentDateInFuture, receivedOn);
        }

        var amount = ParseAmount(input.Amount);
        var currency = ParseCurrency(input.Currency);
        var reference = ParseReference(input.Reference);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var plan = await PlanAsync(amount, currency, input.InvoiceNumbers, today, ct);
        var payment = await StoreAsync(actor, receivedOn, amount, currency, reference, source, null, plan, now, today, ct);
        await transaction.CommitAsync(ct);
        return payment;
    }

    /// <summary>Allocates an unmatched statement line by hand to the invoices a person chose.</summary>
    public async Task<PaymentView> AllocateLineAsync(Actor actor, long lineId, IReadOnlyList<string> invoiceNumbers, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var now = clock.GetCurrentInstant();
        var today = seller.Today(now);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var line = await WaitingLineAsync(lineId, ct);

        var plan = await PlanAsync(line.Amount, line.Currency, invoiceNumbers, today, ct);
        line.State = StatementLineState.AllocatedByHand;
        var payment = await StoreAsync(actor, line.BookedOn, line.Amount, line.Currency, line.Reference, PaymentSources.Statement, line, plan, now, today, ct);
        await transaction.CommitAsync(ct);
        return payment;
    }

    /// <summary>The statement lines waiting for a person, oldest first.</summary>
    public async Task<IReadOnlyList<UnmatchedLine>> UnmatchedAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var rows = await db.StatementLines.AsNoTracking().Where(l => l.State == StatementLineState.Unmatched).OrderBy(l => l.Id).ToListAsync(ct);
        return [.. rows.Select(l => new UnmatchedLine(l.Id, l.TransactionId, l.BookedOn, l.Amount, l.Currency, l.Reference, l.UnmatchedReason ?? "", l.InvoiceNumbers))];
    }

    /// <summary>The recorded payments, newest first, with what each settled.</summary>
    public async Task<IReadOnlyList<PaymentView>> PaymentsAsync(Actor actor, int limit = 200, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var payments = await db.Payments.AsNoTracking().OrderByDescending(p => p.Id).Take(limit).ToListAsync(ct);
        var ids = payments.Select(p => p.Id).ToList();
        var allocations = (await db.PaymentAllocations.AsNoTracking().Where(a => ids.Contains(a.PaymentId))
            .Join(db.Invoices, a => a.InvoiceId, i => i.Id, (a, i) => new { a.PaymentId, a.InvoiceId, i.Number, a.Amount }).ToListAsync(ct))
            .ToLookup(a => a.PaymentId);
        var today = seller.Today(clock.GetCurrentInstant());
        var invoiceIds = allocations.SelectMany(g => g.Select(a => a.InvoiceId)).Distinct().ToList();
        var states = await InvoiceStatuses.ReadAsync(db, db.Invoices.Where(i => invoiceIds.Contains(i.Id)).Select(i => i.Id), today, ct);
        return [.. payments.Select(p => new PaymentView(p.Id, p.ReceivedOn, p.Amount, p.Currency, p.Reference, p.Source, p.RecordedAt, p.RecordedBy,
            [.. allocations[p.Id].OrderBy(a => a.InvoiceId).Select(a => new AllocationView(a.InvoiceId, a.Number!, a.Amount, states[a.InvoiceId].Status))],
            p.ReversedAt is { } at ? new PaymentReversal(at, p.ReversedBy ?? "", p.ReversalReason ?? "") : null))];
    }

    /// <summary>
    /// Reverses a payment that did not stand (a bounced transfer, a cheque returned), with why: its
    /// allocations stop counting, so each invoice it paid goes back to what it owes (issued, part-paid
    /// or overdue) and, when overdue, is chased again from the next collection pass. The payment and
    /// its allocations stay, marked, so the books keep the history; a payment is reversed once.
    /// </summary>
    public async Task<PaymentView> ReverseAsync(Actor actor, long paymentId, string? reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var why = Reason(reason, DomainErrors.ReversalReasonRequired);
        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var payment = await db.Payments.SingleOrDefaultAsync(p => p.Id == paymentId, ct) ?? throw new DomainException(DomainErrors.PaymentUnknown, paymentId);
        if (payment.ReversedAt is not null)
        {
            throw new DomainException(DomainErrors.PaymentAlreadyReversed, paymentId);
        }

        payment.ReversedAt = now;
        payment.ReversedBy = actor.AuditName;
        payment.ReversalReason = why;
        var invoices = await db.PaymentAllocations.AsNoTracking().Where(a => a.PaymentId == paymentId)
            .Join(db.Invoices, a => a.InvoiceId, i => i.Id, (a, i) => new { i.Number, a.Amount }).ToListAsync(ct);
        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = actor.AuditName, Action = "payment.reversed", Entity = "payment", EntityId = paymentId,
            Details = string.Create(CultureInfo.InvariantCulture,
                $"{payment.Amount:0.00} {payment.Currency} of {WebhookOutbox.Iso(payment.ReceivedOn)} ({string.Join(", ", invoices.Select(i => i.Number))}): {why}"),
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (await PaymentAsync(paymentId, ct))!;
    }

    /// <summary>Sets an unmatched statement line aside with why (it pays no invoice: a refund, a bank's own credit): it stops waiting for a decision.</summary>
    public async Task DismissLineAsync(Actor actor, long lineId, string? reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var why = Reason(reason, DomainErrors.DismissReasonRequired);
        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var line = await WaitingLineAsync(lineId, ct);
        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = actor.AuditName, Action = "statement-line.dismissed", Entity = "statement-line", EntityId = lineId,
            Details = string.Create(CultureInfo.InvariantCulture, $"{line.TransactionId} {line.Amount:0.00} {line.Currency}: {why}"),
        });
        // The state is the concurrency guard: two people deciding the same line at once, one wins.
        var saved = await db.StatementLines.Where(l => l.Id == lineId && l.State == StatementLineState.Unmatched)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.State, StatementLineState.Dismissed).SetProperty(l => l.DismissedAt, now)
                .SetProperty(l => l.DismissedBy, actor.AuditName).SetProperty(l => l.DismissReason, why), ct);
        if (saved == 0)
        {
            throw new DomainException(DomainErrors.StatementLineNotWaiting, lineId);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task<PaymentView?> PaymentAsync(long paymentId, CancellationToken ct)
    {
        var all = await PaymentsAsync(new Actor.OperatorConsole(), int.MaxValue, ct);
        return all.SingleOrDefault(p => p.Id == paymentId);
    }

    private async Task<StatementLine> WaitingLineAsync(long lineId, CancellationToken ct)
    {
        var line = await db.StatementLines.SingleOrDefaultAsync(l => l.Id == lineId, ct) ?? throw new DomainException(DomainErrors.StatementLineUnknown, lineId);
        return line.State switch
        {
            StatementLineState.Unmatched => line,
            StatementLineState.Dismissed => throw new DomainException(DomainErrors.StatementLineNotWaiting, lineId),
            _ => throw new DomainException(DomainErrors.StatementLineAlreadySettled, lineId),
        };
    }

    /// <summary>Marks an invoice disputed, with why: collection stops until the dispute is cleared.</summary>
    public async Task DisputeAsync(Actor actor, string? invoiceNumber, string? reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var why = Reason(reason);
        var invoice = await InvoiceAsync(invoiceNumber, ct);
        var now = clock.GetCurrentInstant();
        if (await db.InvoiceDisputes.AnyAsync(d => d.InvoiceId == invoice.Id && d.ClearedAt == null, ct))
        {
            throw new DomainException(DomainErrors.InvoiceAlreadyDisputed, invoice.Number!);
        }

        db.InvoiceDisputes.Add(new InvoiceDispute { InvoiceId = invoice.Id, Reason = why, OpenedAt = now, OpenedBy = actor.AuditName });
        db.Audit.Add(new AuditEntry { At = now, Actor = actor.AuditName, Action = "invoice.disputed", Entity = "invoice", EntityId = invoice.Id, Details = why });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Clears an invoice's open dispute, with why: from then on it is chased again if it is late.</summary>
    public async Task ClearDisputeAsync(Actor actor, string? invoiceNumber, string? reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var why = Reason(reason);
        var invoice = await InvoiceAsync(invoiceNumber, ct);
        var now = clock.GetCurrentInstant();
        var open = await db.InvoiceDisputes.Where(d => d.InvoiceId == invoice.Id && d.ClearedAt == null).ToListAsync(ct);
        if (open.Count == 0)
        {
            throw new DomainException(DomainErrors.InvoiceNotDisputed, invoice.Number!);
        }

        foreach (var dispute in open)
        {
            dispute.ClearedAt = now;
            dispute.ClearedBy = actor.AuditName;
            dispute.ClearReason = why;
        }

        db.Audit.Add(new AuditEntry { At = now, Actor = actor.AuditName, Action = "invoice.dispute-cleared", Entity = "invoice", EntityId = invoice.Id, Details = why });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>What each named invoice takes of <paramref name="amount"/>, in order; a rule broken refuses the whole payment.</summary>
    internal async Task<List<(Invoice Invoice, decimal Amount)>> PlanAsync(
        decimal amount, string currency, IEnumerable<string>? numbers, LocalDate today, CancellationToken ct)
    {
        var wanted = (numbers ?? []).Select(n => n?.Trim().ToUpperInvariant() ?? "").Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            throw new DomainException(DomainErrors.PaymentInvoicesRequired);
        }

        var invoices = await db.Invoices.Where(i => i.Number != null && wanted.Contains(i.Number)).ToListAsync(ct);
        var ids = invoices.Select(i => i.Id).ToList();
        var states = await InvoiceStatuses.ReadAsync(db, db.Invoices.Where(i => ids.Contains(i.Id)).Select(i => i.Id), today, ct);
        var plan = new List<(Invoice, decimal)>();
        var left = amount;
        var owed = 0m;
        foreach (var number in wanted)
        {
            var invoice = invoices.SingleOrDefault(i => i.Number == number) ?? throw new DomainException(DomainErrors.InvoiceUnknown, number);
            var state = states[invoice.Id];
            if (state.Status is InvoiceStatus.Paid or InvoiceStatus.Credited)
            {
                throw new DomainException(DomainErrors.InvoiceNothingOwed, number, state.Status);
            }

            if (!string.Equals(invoice.Currency, currency, StringComparison.Ordinal))
            {
                throw new DomainException(DomainErrors.PaymentCurrencyMismatch, number, invoice.Currency, currency);
            }

            owed += state.Balance;
            var share = Math.Min(left, state.Balance);
            if (share > 0m)
            {
                plan.Add((invoice, share));
                left -= share;
            }
        }

        if (left > 0m)
        {
            throw new DomainException(DomainErrors.PaymentExceedsBalance, Money(amount, currency), Money(owed, currency));
        }

        return plan;
    }

    /// <summary>Writes the payment, its allocations, its audit row and the invoice.paid events of the invoices it settles in full.</summary>
    internal async Task<PaymentView> StoreAsync(
        Actor actor, LocalDate receivedOn, decimal amount, string currency, string reference, string source, StatementLine? line,
        List<(Invoice Invoice, decimal Amount)> plan, Instant now, LocalDate today, CancellationToken ct)
    {
        var payment = new Payment
        {
            ReceivedOn = receivedOn, Amount = amount, Currency = currency, Reference = reference, Source = source, StatementLineId = line?.Id,
            RecordedAt = now, RecordedBy = actor.AuditName,
        };
        db.Payments.Add(payment);
        await db.SaveChangesAsync(ct);
        foreach (var (invoice, share) in plan)
        {
            db.PaymentAllocations.Add(new PaymentAllocation { PaymentId = payment.Id, InvoiceId = invoice.Id, Amount = share });
        }

        if (line is not null)
        {
            line.PaymentId = payment.Id;
        }

        await db.SaveChangesAsync(ct);
        var ids = plan.Select(p => p.Invoice.Id).ToList();
        var states = await InvoiceStatuses.ReadAsync(db, db.Invoices.Where(i => ids.Contains(i.Id)).Select(i => i.Id), today, ct);
        var events = plan.Where(p => states[p.Invoice.Id].Status == InvoiceStatus.Paid)
            .Select(p => new WebhookEvent(WebhookEventTypes.InvoicePaid, $"inv{p.Invoice.Id}", new
            {
                invoice_id = p.Invoice.Id,
                number = p.Invoice.Number,
                account_id = p.Invoice.AccountId,
                subscription_id = p.Invoice.SubscriptionId,
                total = p.Invoice.Total,
                currency = p.Invoice.Currency,
                paid_on = WebhookOutbox.Iso(receivedOn),
                payment_id = payment.Id,
            })).ToArray();
        await WebhookOutbox.AddAsync(db, now, ct, events);
        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = actor.AuditName, Action = "payment.recorded", Entity = "payment", EntityId = payment.Id,
            Details = string.Create(CultureInfo.InvariantCulture,
                $"{source}; {amount:0.00} {currency} received {WebhookOutbox.Iso(receivedOn)}; {string.Join(", ", plan.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Invoice.Number} {p.Amount:0.00}")))}"),
        });
        await db.SaveChangesAsync(ct);
        return new PaymentView(payment.Id, receivedOn, amount, currency, reference, source, now, actor.AuditName,
            [.. plan.Select(p => new AllocationView(p.Invoice.Id, p.Invoice.Number!, p.Amount, states[p.Invoice.Id].Status))]);
    }

    private async Task<Invoice> InvoiceAsync(string? number, CancellationToken ct)
    {
        var wanted = number?.Trim().ToUpperInvariant() ?? "";
        return await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Number == wanted, ct)
            ?? throw new DomainException(DomainErrors.InvoiceUnknown, number ?? "");
    }

    private static string Reason(string? text, string code = DomainErrors.DisputeReasonRequired)
    {
        var reason = text?.Trim() ?? "";
        return reason.Length is 0 or > MaxReason ? throw new DomainException(code, MaxReason) : reason;
    }

    internal static LocalDate ParseDate(string? text) =>
        LocalDatePattern.Iso.Parse(text?.Trim() ?? "") is { Success: true } parsed ? parsed.Value : throw new DomainException(DomainErrors.PaymentDate, text ?? "");

    /// <summary>An amount above zero with at most two decimals; a decimal comma is read as a point (as French people type it).</summary>
    internal static decimal ParseAmount(string? text)
    {
        var typed = (text ?? "").Trim();
        var normalised = typed.Contains('.', StringComparison.Ordinal) ? typed : typed.Replace(',', '.');
        if (!decimal.TryParse(normalised, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || amount <= 0m || amount > 1_000_000_000m || decimal.Round(amount, 2) != amount)
        {
            throw new DomainException(DomainErrors.PaymentAmount, typed);
        }

        return amount;
    }

    internal static string ParseCurrency(string? text)
    {
        var code = (text ?? "").Trim().ToUpperInvariant();
        return code.Length == 3 && Currencies.IsKnown(code) ? code : throw new DomainException(DomainErrors.PaymentCurrency, text ?? "");
    }

    internal static string ParseReference(string? text)
    {
        var reference = (text ?? "").Trim();
        return reference.Length is 0 or > MaxReference ? throw new DomainException(DomainErrors.PaymentReference, MaxReference) : reference;
    }

    private static string Money(decimal amount, string currency) => string.Create(CultureInfo.InvariantCulture, $"{amount:0.00} {currency}");
}
