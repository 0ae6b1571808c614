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
        // One statement (issue 13, load): the columns the page shows or its timeline needs, the current term's milestone
        // states, the lines, and what the next step asks (an open on-time notice, the account's orders); no history, no
        // whole row of the account. The products' names are subqueries, not a join inside the
        // lines' derived table: SQLite would build that table for every subscription's lines before filtering (the
        // 44 s found by the load measure in session 10).
        var row = await db.Subscriptions.AsNoTracking().AsSingleQuery()
            .Where(s => s.Id == subscriptionId && s.AccountId == customer.AccountId)
            .Select(s => new
            {
                s.Id,
                s.Start,
                s.InitialTermYears,
                s.Billing,
                s.IsFirstInProductFamily,
                s.RenewalLengths,
                s.CurrentTermNumber,
                s.Status,
                s.EndsOn,
                Account = new PortalAccount(s.Account!.Id, s.Account.Name, s.Account.TimeZoneId, s.Account.RequiresPurchaseOrder),
                s.Policy,
                s.PartnerContract,
                Partner = s.PartnerContract == null ? null : s.PartnerContract.Partner!.Name,
                States = db.Milestones.Where(m => m.SubscriptionId == s.Id && m.TermNumber == s.CurrentTermNumber)
                    .Select(m => new MilestoneState(m.Kind, m.Variant, m.Status)).ToList(),
                Lines = db.SubscriptionLines.Where(l => l.SubscriptionId == s.Id)
                    .Select(l => new PortalLine(
                        db.Products.Where(p => p.Id == l.ProductId).Select(p => p.Code).FirstOrDefault()!,
                        db.Products.Where(p => p.Id == l.ProductId).Select(p => p.Name).FirstOrDefault()!,
                        l.Quantity)).ToList(),
                NoticeFiled = db.CancellationNotices.Any(n => n.SubscriptionId == s.Id && n.ReceivedInTerm == s.CurrentTermNumber && n.WithdrawnAt == null && n.IsOnTime),
                // The account's orders; those of its other subscriptions are left out below (only equalities with the
                // subscription's columns here: anything else would need an APPLY, which SQLite has not).
                Orders = db.PurchaseOrders.Where(p => p.AccountId == s.AccountId)
                    .Select(p => new OrderSpan(p.SubscriptionId, p.ValidFrom, p.ValidUntil)).ToList(),
            })
            .SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var account = row.Account;
        var zone = DateTimeZoneProviders.Tzdb[account.TimeZoneId];
        var partner = DomainMapping.ToDomain(row.PartnerContract, row.Partner ?? "");
        var domain = DomainMapping.ToDomain(account.Name, row.Start, row.InitialTermYears, zone, row.Billing, partner, row.IsFirstInProductFamily, row.RenewalLengths);
        var timeline = RenewalTimeline.ForTerm(domain, DomainMapping.ToDomain(row.Policy!), row.CurrentTermNumber);
        List<PortalKeyDate> keyDates = [.. timeline.Milestones.Select(m => new PortalKeyDate(m,
            row.States.FirstOrDefault(s => s.Kind == m.Kind && s.Variant == m.Variant)?.Status switch
            {
                MilestoneStatus.Done => KeyDateState.Done,
                MilestoneStatus.Skipped => KeyDateState.Skipped,
                _ => KeyDateState.Pending,
            }))];
        var term = timeline.Term;
        var today = clock.GetCurrentInstant().InZone(zone).Date;
        return new PortalSubscription(
            row.Id, account.Name, today, row.Start, row.InitialTermYears, term.Number, term.Start, term.End, row.Status, row.EndsOn,
            row.Partner, [.. row.Lines.OrderBy(l => l.Code, StringComparer.Ordinal)], keyDates,
            NextStep(row.Status, row.EndsOn, row.NoticeFiled, account.RequiresPurchaseOrder,
                [.. row.Orders.Where(o => o.SubscriptionId == row.Id || o.SubscriptionId == null)], term, keyDates, today));
    }

    private static NextStep NextStep(
        SubscriptionStatus status, LocalDate? endsOn, bool noticeFiled, bool requiresPurchaseOrder, IReadOnlyList<OrderSpan> orders,
        Domain.Subscriptions.Term term, IReadOnlyList<PortalKeyDate> keyDates, LocalDate today)
    {
        if (status == SubscriptionStatus.Ended)
        {
            return new NextStep(NextStepKind.Ended, endsOn);
        }

        if (status == SubscriptionStatus.Ending || noticeFiled)
        {
            return new NextStep(NextStepKind.NoticeFiled, endsOn ?? term.End);
        }

        var renewal = term.RenewalDate;
        var near = Period.Between(today, renewal, PeriodUnits.Days).Days <= ActWithinDays;
        // An order for this subscription, or for the whole account, that reaches the coming term.
        if (near && requiresPurchaseOrder && !orders.Any(o => (o.ValidFrom == null || o.ValidFrom <= renewal) && (o.ValidUntil == null || o.ValidUntil > renewal)))
        {
            return new NextStep(NextStepKind.RegisterPurchaseOrder, renewal);
        }

        var deadline = keyDates.FirstOrDefault(k => k.Step.Kind == MilestoneKind.CancellationDeadline)?.Step.Date;
        return near && deadline is { } d && d >= today
            ? new NextStep(NextStepKind.DecideBeforeDeadline, d)
            : new NextStep(NextStepKind.NothingToDo, renewal);
    }

    private sealed record PortalAccount(long Id, string Name, string TimeZoneId, bool RequiresPurchaseOrder);

    private sealed record MilestoneState(MilestoneKind Kind, int Variant, MilestoneStatus Status);

    private sealed record OrderSpan(long? SubscriptionId, LocalDate? ValidFrom, LocalDate? ValidUntil);

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
            db.Invoices.Where(i => i.AccountId == customer.AccountId && i.Number != null).Select(i => i.Id), seller.Today(clock.GetCurrentInstant()), ct);

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
