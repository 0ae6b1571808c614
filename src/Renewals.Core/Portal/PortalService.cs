using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Hosting;
using Renewals.Core.Invoicing;
using Renewals.Core.Licensing;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Portal;

/// <summary>
/// What the customer web account shows. Every call takes the customer asking and answers null
/// for anything outside their account, so a page cannot show another account's data by
/// passing its id (the web answers 404).
/// </summary>
public sealed class PortalService(RenewalsDbContext db, IClock clock, LicenceService licences, LicenceKeyring keyring, Seller seller)
{
    /// <summary>Renewal is "near" from the first reminder on: that is when the customer is asked to act.</summary>
    public const int ActWithinDays = 120;

    public async Task<PortalDashboard?> DashboardAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == customer.AccountId, ct);
        if (account is null)
        {
            return null;
        }

        var ids = await db.Subscriptions.AsNoTracking().Where(s => s.AccountId == account.Id).OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(ct);
        var summaries = new List<PortalSubscriptionSummary>();
        foreach (var id in ids)
        {
            var s = (await SubscriptionAsync(customer, id, ct))!;
            var next = s.Timeline.FirstOrDefault(k => k.State == KeyDateState.Pending && k.Step.Date >= s.Today);
            summaries.Add(new PortalSubscriptionSummary(s.Id, s.Lines, s.TermNumber, s.TermStart, s.TermEnd, s.Status, next, s.NextStep));
        }

        return new PortalDashboard(account.Name, account.Language, Today(account), summaries);
    }

    public async Task<PortalSubscription?> SubscriptionAsync(PortalCustomer customer, long subscriptionId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var row = await db.Subscriptions.AsNoTracking()
            .Include(s => s.Account).Include(s => s.Policy).Include(s => s.PartnerContract).ThenInclude(c => c!.Partner)
            .SingleOrDefaultAsync(s => s.Id == subscriptionId && s.AccountId == customer.AccountId, ct);
        if (row is null)
        {
            return null;
        }

        var account = row.Account!;
        var zone = DateTimeZoneProviders.Tzdb[account.TimeZoneId];
        var partner = DomainMapping.ToDomain(row.PartnerContract, row.PartnerContract?.Partner?.Name ?? "");
        var domain = DomainMapping.ToDomain(account.Name, row.Start, row.InitialTermYears, zone, row.Billing, partner, row.IsFirstInProductFamily, row.RenewalLengths);
        var timeline = RenewalTimeline.ForTerm(domain, DomainMapping.ToDomain(row.Policy!), row.CurrentTermNumber);
        var states = await db.Milestones.AsNoTracking()
            .Where(m => m.SubscriptionId == row.Id && m.TermNumber == row.CurrentTermNumber)
            .Select(m => new { m.Kind, m.Variant, m.Status })
            .ToListAsync(ct);
        List<PortalKeyDate> keyDates = [.. timeline.Milestones.Select(m => new PortalKeyDate(m,
            states.FirstOrDefault(s => s.Kind == m.Kind && s.Variant == m.Variant)?.Status switch
            {
                MilestoneStatus.Done => KeyDateState.Done,
                MilestoneStatus.Skipped => KeyDateState.Skipped,
                _ => KeyDateState.Pending,
            }))];
        var lines = await db.SubscriptionLines.AsNoTracking().Where(l => l.SubscriptionId == row.Id)
            .Join(db.Products, l => l.ProductId, p => p.Id, (l, p) => new PortalLine(p.Code, p.Name, l.Quantity))
            .ToListAsync(ct);
        var term = timeline.Term;
        var today = Today(account);
        return new PortalSubscription(
            row.Id, account.Name, today, row.Start, row.InitialTermYears, term.Number, term.Start, term.End, row.Status, row.EndsOn,
            row.PartnerContract?.Partner?.Name, [.. lines.OrderBy(l => l.Code, StringComparer.Ordinal)], keyDates,
            await NextStepAsync(row, account, term, keyDates, today, ct));
    }

    private async Task<NextStep> NextStepAsync(
        Subscription row, Account account, Domain.Subscriptions.Term term, IReadOnlyList<PortalKeyDate> keyDates, LocalDate today, CancellationToken ct)
    {
        if (row.Status == SubscriptionStatus.Ended)
        {
            return new NextStep(NextStepKind.Ended, row.EndsOn);
        }

        if (row.Status == SubscriptionStatus.Ending || await db.CancellationNotices.AnyAsync(
                n => n.SubscriptionId == row.Id && n.ReceivedInTerm == row.CurrentTermNumber && n.WithdrawnAt == null && n.IsOnTime, ct))
        {
            return new NextStep(NextStepKind.NoticeFiled, row.EndsOn ?? term.End);
        }

        var renewal = term.RenewalDate;
        var near = Period.Between(today, renewal, PeriodUnits.Days).Days <= ActWithinDays;
        if (near && account.RequiresPurchaseOrder)
        {
            // An order for this subscription, or for the whole account, that reaches the coming term.
            var orders = await db.PurchaseOrders.AsNoTracking()
                .Where(p => p.AccountId == account.Id && (p.SubscriptionId == row.Id || p.SubscriptionId == null))
                .Select(p => new { p.ValidFrom, p.ValidUntil })
                .ToListAsync(ct);
            if (!orders.Any(o => (o.ValidFrom == null || o.ValidFrom <= renewal) && (o.ValidUntil == null || o.ValidUntil > renewal)))
            {
                return new NextStep(NextStepKind.RegisterPurchaseOrder, renewal);
            }
        }

        var deadline = keyDates.FirstOrDefault(k => k.Step.Kind == MilestoneKind.CancellationDeadline)?.Step.Date;
        return near && deadline is { } d && d >= today
            ? new NextStep(NextStepKind.DecideBeforeDeadline, d)
            : new NextStep(NextStepKind.NothingToDo, renewal);
    }

    public async Task<PortalInvoices> InvoicesAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var invoices = await db.Invoices.AsNoTracking()
            .Where(i => i.AccountId == customer.AccountId && i.Number != null)
            .Select(i => new { i.Id, i.Number, i.SubscriptionId, i.IssuedOn, i.PeriodStart, i.PeriodEnd, i.DueOn, i.Total, i.Currency, i.PurchaseOrderNumber })
            .ToListAsync(ct);
        var credits = await db.CreditNotes.AsNoTracking()
            .Where(c => c.AccountId == customer.AccountId)
            .Join(db.Invoices, c => c.InvoiceId, i => i.Id, (c, i) => new { c.Number, InvoiceNumber = i.Number, c.IssuedOn, c.Total, c.Currency, c.Reason })
            .ToListAsync(ct);

        var states = await Payments.InvoiceStatuses.ReadAsync(db,
            db.Invoices.Where(i => i.AccountId == customer.AccountId && i.Number != null).Select(i => i.Id), Payments.InvoiceStatuses.VendorDate(clock.GetCurrentInstant()), ct);

        // Sorted here: SQLite stores dates as text and cannot order decimals.
        return new PortalInvoices(
            [.. invoices.OrderByDescending(i => i.IssuedOn).ThenByDescending(i => i.Number, StringComparer.Ordinal)
                .Select(i => new PortalInvoice(i.Id, i.Number!, i.SubscriptionId, i.IssuedOn, i.PeriodStart, i.PeriodEnd.PlusDays(-1), i.DueOn, i.Total, i.Currency, i.PurchaseOrderNumber,
                    states[i.Id].Status))],
            [.. credits.OrderByDescending(c => c.IssuedOn).ThenByDescending(c => c.Number, StringComparer.Ordinal)
                .Select(c => new PortalCreditNote(c.Number, c.InvoiceNumber ?? "", c.IssuedOn, c.Total, c.Currency, c.Reason))]);
    }

    /// <summary>The invoice's PDF, as the email carried it (the configured seller at its head); null when it is not this customer's.</summary>
    public async Task<PortalFile?> InvoicePdfAsync(PortalCustomer customer, long invoiceId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!await db.Invoices.AnyAsync(i => i.Id == invoiceId && i.AccountId == customer.AccountId && i.Number != null, ct))
        {
            return null;
        }

        var document = await InvoiceDocuments.LoadAsync(db, invoiceId, seller, ct);
        return document is null ? null : new PortalFile($"{document.Number}.pdf", "application/pdf", InvoicePdf.Render(document));
    }

    /// <summary>The credit note's PDF, as the email carried it; null when it is not this customer's.</summary>
    public async Task<PortalFile?> CreditNotePdfAsync(PortalCustomer customer, string number, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!await db.CreditNotes.AnyAsync(c => c.Number == number && c.AccountId == customer.AccountId, ct))
        {
            return null;
        }

        var document = await CreditNoteDocuments.LoadByNumberAsync(db, number, seller, ct);
        return document is null ? null : new PortalFile($"{document.Number}.pdf", "application/pdf", CreditNotePdf.Render(document));
    }

    /// <summary>
    /// The signed licence file of the subscription's current term (recorded in the audit trail
    /// as issued to the customer); null when the subscription is not this customer's.
    /// </summary>
    /// <exception cref="LicenceException">The term carries no rights to license.</exception>
    public async Task<PortalFile?> LicenceAsync(PortalCustomer customer, long subscriptionId, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!await db.Subscriptions.AnyAsync(s => s.Id == subscriptionId && s.AccountId == customer.AccountId, ct))
        {
            return null;
        }

        var issued = await licences.IssueAsync(subscriptionId, null, keyring.Key, actor, ct);
        return new PortalFile($"licence-{subscriptionId}-term-{issued.Licence.TermNumber}.lic", "text/plain", issued.Bytes);
    }

    /// <summary>The public half of the signing key, for checking licence files offline.</summary>
    public PortalFile PublicKey() =>
        new("licence-signing-key.pub.pem", "application/x-pem-file", System.Text.Encoding.ASCII.GetBytes(keyring.Key.PublicKeyPem));

    private LocalDate Today(Account account) => clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[account.TimeZoneId]).Date;
}
