using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Access;
using Renewals.Core.Engine;
using Renewals.Core.Invoicing;
using Renewals.Core.Messaging;
using Renewals.Core.Planning;
using Renewals.Core.Portal;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Amendments;
using Renewals.Domain.Invoicing;
using Renewals.Domain.Timeline;
using AmendmentRow = Renewals.Data.Model.Amendment;
using DomainSubscription = Renewals.Domain.Subscriptions.Subscription;
using DomainTerm = Renewals.Domain.Subscriptions.Term;
using Rules = Renewals.Domain.Amendments.Amendment;

namespace Renewals.Core.Amendments;

/// <summary>A line of the coming term as asked for: a product by code, its quantity, a new yearly unit price (else the current or list price) and a discount in percent.</summary>
public sealed record AmendLine(string ProductCode, int Quantity, decimal? YearlyUnitPrice = null, decimal DiscountPercent = 0);

/// <summary>
/// An amendment as asked for: the coming term's whole set of lines (a product left out is
/// removed), why, and, after the deadline, the administrator's reason to override it.
/// </summary>
/// <param name="RenewalYears">The coming term's length in whole years (a length its renewal policy allows); null for one year.</param>
public sealed record AmendmentRequest(IReadOnlyList<AmendLine> Lines, string? Reason, string? DeadlineOverrideReason = null, int? RenewalYears = null);

/// <summary>A line as pages, the API and the command line show it.</summary>
public sealed record AmendmentLineView(
    string ProductCode, string ProductName, int Quantity, decimal YearlyUnitPrice, decimal DiscountPercent, decimal NetYearlyUnitPrice, string Currency)
{
    public decimal Amount => NetYearlyUnitPrice * Quantity;
}

/// <summary>An amendment of a subscription's coming term, where it stands and who did what.</summary>
public sealed record AmendmentView(
    long Id, long SubscriptionId, long AccountId, string AccountName, int TermNumber, LocalDate TermStart, LocalDate TermEnd,
    AmendmentStatus Status, string Reason, Instant MadeAt, LocalDate MadeOn, string MadeBy, LocalDate Deadline, string? DeadlineOverrideReason,
    Instant? ConfirmedAt, string? ConfirmedBy, AmendmentConfirmation? ConfirmedThrough, string? SignedOrderReference, Instant? ClosedAt,
    IReadOnlyList<AmendmentLineView> Lines, string TimeZoneId, int RenewalYears = 1)
{
    public bool IsOpen => Status is AmendmentStatus.Proposed or AmendmentStatus.Confirmed;

    /// <summary>The yearly total: what one year of the term costs.</summary>
    public decimal Total => Lines.Sum(l => l.Amount);

    /// <summary>What the renewal invoice of the term bills: the yearly total × its years.</summary>
    public decimal TermTotal => Total * RenewalYears;

    public string Currency => Lines.Count > 0 ? Lines[0].Currency : "";
}

/// <summary>What the amend page shows: the subscription's lines now, the coming term, the deadline and whether today is before it.</summary>
public sealed record AmendmentContext(
    long SubscriptionId, long AccountId, string AccountName, SubscriptionStatus Status, LocalDate Today, DomainTerm CurrentTerm, DomainTerm ComingTerm,
    LocalDate Deadline, bool OnTimeToday, IReadOnlyList<AmendmentLineView> CurrentLines, AmendmentView? Open, IReadOnlyList<AmendmentView> History,
    IReadOnlyList<(string Code, string Name)> Products, IReadOnlyList<int>? AllowedRenewalYears = null)
{
    /// <summary>The lengths, in years, the subscription's renewal policy lets the coming term have (1 always).</summary>
    public IReadOnlyList<int> RenewalYearsAllowed => AllowedRenewalYears ?? [1];

    public bool Renews => Status == SubscriptionStatus.Active;
}

/// <summary>A mid-term addition and the invoice that billed it.</summary>
public sealed record AdditionView(
    long Id, long SubscriptionId, string ProductCode, int Quantity, decimal YearlyUnitPrice, LocalDate StartsOn, LocalDate BilledUntil, int DaysBilled,
    int DaysInBillingYear, string InvoiceNumber, decimal Net, decimal Total, string Currency);

/// <summary>
/// Amending a subscription's coming term and adding units mid-term. The advisor (own book), an
/// administrator, the operator or a partner (its customers, through the API) proposes; the
/// customer confirms in the web account, or a signed order is recorded; the renewal engine then
/// renews the confirmed lines at the anniversary (<see cref="MilestoneExecutor"/>). Every change
/// leaves an audit row. Another book's subscription is "unknown", never shown.
/// </summary>
public sealed class AmendmentService(RenewalsDbContext db, IClock clock)
{
    public const int SignedOrderMaxLength = 100;

    /// <summary>What the amend page needs; null when the subscription is not the actor's to see.</summary>
    public async Task<AmendmentContext?> ContextAsync(Actor actor, long subscriptionId, CancellationToken ct = default)
    {
        var row = await VisibleSubscriptions(actor).SingleOrDefaultAsync(s => s.Id == subscriptionId, ct);
        return row is null ? null : await ContextOfAsync(row, ct);
    }

    public async Task<IReadOnlyList<AmendmentView>> ListAsync(Actor actor, long subscriptionId, CancellationToken ct = default)
    {
        _ = await SubscriptionAsync(actor, subscriptionId, ct);
        return await ViewsAsync(db.Amendments.Where(a => a.SubscriptionId == subscriptionId), ct);
    }

    public async Task<AmendmentView> GetAsync(Actor actor, long amendmentId, CancellationToken ct = default)
    {
        var visible = VisibleSubscriptions(actor).Select(s => s.Id);
        var views = await ViewsAsync(db.Amendments.Where(a => a.Id == amendmentId && visible.Contains(a.SubscriptionId)), ct);
        return views.SingleOrDefault() ?? throw new DomainException(DomainErrors.AmendmentUnknown, amendmentId);
    }

    /// <summary>
    /// Proposes what the coming term will hold; an open amendment of the same term is superseded
    /// by it. Refused after the current term's deadline unless an administrator overrides it with a reason.
    /// </summary>
    public async Task<AmendmentView> ProposeAsync(Actor actor, long subscriptionId, AmendmentRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        var row = await SubscriptionAsync(actor, subscriptionId, ct);
        MustRenew(row);
        var reason = Rules.Reason(request.Reason);
        var now = clock.GetCurrentInstant();
        var (domain, policy) = Domain(row);
        var current = domain.Term(row.CurrentTermNumber);
        var timing = Rules.Check(domain, policy, current, now, actor.SeesEverything, request.DeadlineOverrideReason);
        var renewalYears = Rules.RenewalYears(policy, request.RenewalYears);
        var lines = await LinesAsync(row, request.Lines, ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var open = await db.Amendments.Where(a => a.SubscriptionId == row.Id && a.TermNumber == timing.Term.Number
            && (a.Status == AmendmentStatus.Proposed || a.Status == AmendmentStatus.Confirmed)).ToListAsync(ct);
        var lengthened = open.Any(a => a.Status == AmendmentStatus.Confirmed && a.RenewalYears != 1);
        foreach (var earlier in open)
        {
            earlier.Status = AmendmentStatus.Superseded;
            earlier.ClosedAt = now;
            earlier.ClosedBy = actor.AuditName;
            Audit(now, actor.AuditName, "amendment.superseded", earlier.Id, $"subscription {row.Id} term {earlier.TermNumber}");
        }

        // The superseded rows leave the open index before the new one enters it.
        await db.SaveChangesAsync(ct);
        if (lengthened)
        {
            // A superseded confirmed length no longer holds: the term is back to a year until this one is confirmed.
            await SetRenewalYearsAsync(row.Id, timing.Term.Number, 1, ct);
        }

        var amendment = new AmendmentRow
        {
            SubscriptionId = row.Id,
            TermNumber = timing.Term.Number,
            Status = AmendmentStatus.Proposed,
            Reason = reason,
            MadeAt = now,
            MadeOn = timing.MadeOn,
            MadeBy = actor.AuditName,
            Deadline = timing.Deadline,
            DeadlineOverrideReason = timing.OverrideReason,
            RenewalYears = renewalYears,
        };
        foreach (var (productId, line) in lines)
        {
            amendment.Lines.Add(new AmendmentLine
            {
                ProductId = productId,
                Quantity = line.Quantity,
                YearlyUnitPrice = line.YearlyUnitPrice,
                DiscountPercent = line.DiscountPercent,
                NetYearlyUnitPrice = line.NetYearlyUnitPrice,
                Currency = line.Currency,
            });
        }

        db.Amendments.Add(amendment);
        await db.SaveChangesAsync(ct);
        var details = $"subscription {row.Id} term {amendment.TermNumber}: {Describe(amendment.Lines)}{(renewalYears == 1 ? "" : $"; renews for {renewalYears} years")}; reason: {reason}";
        Audit(now, actor.AuditName, "amendment.proposed", amendment.Id,
            timing.OverrideReason is { } why ? $"{details}; after the deadline of {Iso(timing.Deadline)}, overridden: {why}" : details);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return await GetAsync(actor, amendment.Id, ct);
    }

    /// <summary>The advisor, an administrator or the API records the customer's signed order: the amendment is confirmed.</summary>
    public async Task<AmendmentView> ConfirmBySignedOrderAsync(Actor actor, long amendmentId, string? signedOrderReference, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var reference = signedOrderReference?.Trim();
        if (string.IsNullOrEmpty(reference) || reference.Length > SignedOrderMaxLength)
        {
            throw new DomainException(DomainErrors.AmendmentSignedOrderRequired, SignedOrderMaxLength);
        }

        var visible = VisibleSubscriptions(actor).Select(s => s.Id);
        var amendment = await db.Amendments.SingleOrDefaultAsync(a => a.Id == amendmentId && visible.Contains(a.SubscriptionId), ct)
            ?? throw new DomainException(DomainErrors.AmendmentUnknown, amendmentId);
        await ConfirmAsync(amendment, actor.AuditName, AmendmentConfirmation.SignedOrder, reference, ct);
        return await GetAsync(actor, amendmentId, ct);
    }

    /// <summary>The proposed amendments of the customer's subscriptions, and those it confirmed, newest first.</summary>
    public async Task<IReadOnlyList<AmendmentView>> ForCustomerAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var views = await ViewsAsync(db.Amendments.Where(a => db.Subscriptions.Any(s => s.Id == a.SubscriptionId && s.AccountId == customer.AccountId)
            && (a.Status == AmendmentStatus.Proposed || a.Status == AmendmentStatus.Confirmed || a.Status == AmendmentStatus.Applied)), ct);
        return [.. views.OrderByDescending(v => v.MadeAt)];
    }

    /// <summary>A customer contact confirms a proposed amendment of one of its account's subscriptions.</summary>
    public async Task<AmendmentView> ConfirmByCustomerAsync(PortalCustomer customer, long amendmentId, string confirmedBy, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var amendment = await db.Amendments
            .SingleOrDefaultAsync(a => a.Id == amendmentId && db.Subscriptions.Any(s => s.Id == a.SubscriptionId && s.AccountId == customer.AccountId), ct)
            ?? throw new DomainException(DomainErrors.AmendmentUnknown, amendmentId);
        await ConfirmAsync(amendment, confirmedBy, AmendmentConfirmation.Customer, null, ct);
        return (await ViewsAsync(db.Amendments.Where(a => a.Id == amendmentId), ct)).Single();
    }

    /// <summary>Takes back an open amendment before its term begins.</summary>
    public async Task<AmendmentView> WithdrawAsync(Actor actor, long amendmentId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var visible = VisibleSubscriptions(actor).Select(s => s.Id);
        var amendment = await db.Amendments.SingleOrDefaultAsync(a => a.Id == amendmentId && visible.Contains(a.SubscriptionId), ct)
            ?? throw new DomainException(DomainErrors.AmendmentUnknown, amendmentId);
        if (amendment.Status is not (AmendmentStatus.Proposed or AmendmentStatus.Confirmed))
        {
            throw new DomainException(DomainErrors.AmendmentNotOpen, amendmentId);
        }

        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var affected = await db.Amendments.Where(a => a.Id == amendmentId && a.Status == amendment.Status)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AmendmentStatus.Withdrawn).SetProperty(a => a.ClosedAt, now)
                .SetProperty(a => a.ClosedBy, actor.AuditName), ct);
        if (affected == 0)
        {
            throw new DomainException(DomainErrors.AmendmentNotOpen, amendmentId);
        }

        Audit(now, actor.AuditName, "amendment.withdrawn", amendmentId, $"subscription {amendment.SubscriptionId} term {amendment.TermNumber}");
        if (amendment.Status == AmendmentStatus.Confirmed && amendment.RenewalYears != 1)
        {
            // The term it lengthened goes back to the plain 12 months, in the same transaction as the withdrawal.
            await SetRenewalYearsAsync(amendment.SubscriptionId, amendment.TermNumber, 1, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return await GetAsync(actor, amendmentId, ct);
    }

    /// <summary>
    /// More units of a product from today, invoiced at once pro rata to the end of the billing
    /// period (<see cref="MidTermAddition"/>), numbered in the invoices' gapless sequence and sent
    /// with its PDF to accounts payable; the subscription's line and the current licence grow from today.
    /// </summary>
    public async Task<AdditionView> AddNowAsync(
        Actor actor, long subscriptionId, string productCode, int quantity, decimal? yearlyUnitPrice, string? reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var why = Rules.Reason(reason);
        var row = await SubscriptionAsync(actor, subscriptionId, ct);
        if (row.Status == SubscriptionStatus.Ended)
        {
            throw new DomainException(DomainErrors.SubscriptionAlreadyEnded, row.EndsOn ?? row.Start);
        }

        var product = await ProductAsync(productCode, ct);
        var (domain, _) = Domain(row);
        var now = clock.GetCurrentInstant();
        var today = domain.LocalDateOf(now);
        var current = domain.Term(row.CurrentTermNumber);
        var existing = row.Lines.FirstOrDefault(l => l.ProductId == product.Id);
        var currency = row.Lines.FirstOrDefault()?.Currency ?? product.Currency ?? "EUR";
        var price = yearlyUnitPrice ?? existing?.YearlyUnitPrice
            ?? (string.Equals(product.Currency, currency, StringComparison.OrdinalIgnoreCase) ? product.YearlyUnitPrice : null)
            ?? throw new DomainException(DomainErrors.LinePriceMissing, product.Code);
        var proRata = MidTermAddition.Price(domain, current, today, price, quantity);

        var account = row.Account!;
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == account.Id).OrderBy(c => c.Id).ToListAsync(ct);
        var billTo = InvoiceWriter.BillTo(contacts, account.Name);
        var order = PurchaseOrderCover.Find(await PurchaseOrderService.TermsAsync(db, account.Id, ct),
            new InvoiceToCover(row.Id, proRata.From, proRata.Until, today));
        var invoice = new Invoice
        {
            AccountId = account.Id,
            SubscriptionId = row.Id,
            Kind = InvoiceKind.Addition,
            IssuedOn = today,
            PeriodStart = proRata.From,
            PeriodEnd = proRata.Until,
            DueOn = InvoiceWriter.DueOn(today),
            Currency = currency,
            Net = proRata.Amount,
            VatRate = account.VatRate,
            Total = proRata.Amount + Math.Round(proRata.Amount * account.VatRate, 2, MidpointRounding.AwayFromZero),
            BillToContactId = billTo.Id,
            PurchaseOrderNumber = order?.Number,
        };
        invoice.Lines.Add(new InvoiceLine
        {
            ProductId = product.Id,
            Description = $"{product.Name} ({proRata.DaysRemaining}/{proRata.DaysInBillingYear})",
            Quantity = quantity,
            PeriodStart = proRata.From,
            PeriodEnd = proRata.Until,
            UnitPrice = price,
            Amount = proRata.Amount,
        });

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (existing is not null)
        {
            existing.Quantity += quantity;
        }
        else
        {
            row.Lines.Add(new SubscriptionLine { ProductId = product.Id, Quantity = quantity, YearlyUnitPrice = price, Currency = currency });
        }

        var entitlement = await db.Entitlements.Where(e => e.SubscriptionId == row.Id && e.TermNumber == current.Number && e.ProductId == product.Id)
            .OrderBy(e => e.Id).FirstOrDefaultAsync(ct);
        if (entitlement is not null)
        {
            entitlement.Quantity += quantity;
        }
        else
        {
            db.Entitlements.Add(new LicenceEntitlement
            {
                SubscriptionId = row.Id,
                ProductId = product.Id,
                Quantity = quantity,
                ValidFrom = today,
                ValidUntil = current.End,
                TermNumber = current.Number,
                AvailableInWebAccount = row.LicenceDelivery == LicenceDelivery.AvailableInWebAccount,
            });
        }

        await InvoiceWriter.NumberAsync(db, transaction, invoice, ct);
        await db.SaveChangesAsync(ct);
        var addition = new MidTermAdditionRow
        {
            SubscriptionId = row.Id,
            ProductId = product.Id,
            Quantity = quantity,
            YearlyUnitPrice = price,
            StartsOn = proRata.From,
            BilledUntil = proRata.Until,
            DaysBilled = proRata.DaysRemaining,
            DaysInBillingYear = proRata.DaysInBillingYear,
            InvoiceId = invoice.Id,
            Reason = why,
            MadeAt = now,
            MadeBy = actor.AuditName,
        };
        db.MidTermAdditions.Add(addition);
        db.Outbox.Add(InvoiceWriter.Message(invoice, billTo, now));
        await db.SaveChangesAsync(ct);
        Audit(now, actor.AuditName, "subscription.addition", row.Id,
            $"{quantity} × {product.Code} from {Iso(proRata.From)} to {Iso(proRata.Until)}: {proRata.DaysRemaining}/{proRata.DaysInBillingYear} days, invoice {invoice.Number}; reason: {why}");
        await WebhookOutbox.AddAsync(db, now, ct, InvoiceWriter.Issued(invoice));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new AdditionView(addition.Id, row.Id, product.Code, quantity, price, proRata.From, proRata.Until, proRata.DaysRemaining,
            proRata.DaysInBillingYear, invoice.Number!, invoice.Net, invoice.Total, invoice.Currency);
    }

    private async Task ConfirmAsync(AmendmentRow amendment, string confirmedBy, AmendmentConfirmation through, string? reference, CancellationToken ct)
    {
        if (amendment.Status == AmendmentStatus.Confirmed)
        {
            throw new DomainException(DomainErrors.AmendmentAlreadyConfirmed, amendment.Id);
        }

        if (amendment.Status != AmendmentStatus.Proposed)
        {
            throw new DomainException(DomainErrors.AmendmentNotOpen, amendment.Id);
        }

        var subscription = await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == amendment.SubscriptionId, ct);
        MustRenew(subscription);
        if (subscription.CurrentTermNumber >= amendment.TermNumber)
        {
            var started = await db.Terms.AsNoTracking().Where(t => t.SubscriptionId == subscription.Id && t.Number == amendment.TermNumber)
                .Select(t => t.Start).FirstOrDefaultAsync(ct);
            throw new DomainException(DomainErrors.AmendmentTermStarted, started);
        }

        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Guarded on Proposed: a withdrawal or a later proposal in between makes this confirm nothing.
        var affected = await db.Amendments.Where(a => a.Id == amendment.Id && a.Status == AmendmentStatus.Proposed)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AmendmentStatus.Confirmed).SetProperty(a => a.ConfirmedAt, now)
                .SetProperty(a => a.ConfirmedBy, confirmedBy).SetProperty(a => a.ConfirmedThrough, through)
                .SetProperty(a => a.SignedOrderReference, reference), ct);
        if (affected == 0)
        {
            throw new DomainException(DomainErrors.AmendmentNotOpen, amendment.Id);
        }

        await MustNotHaveStartedAsync(subscription.Id, amendment.TermNumber, ct);
        Audit(now, confirmedBy, "amendment.confirmed", amendment.Id,
            (through == AmendmentConfirmation.SignedOrder ? $"signed order {reference}" : "by the customer in the web account")
            + (amendment.RenewalYears == 1 ? "" : $"; term {amendment.TermNumber} renews for {amendment.RenewalYears} years"));
        if (amendment.RenewalYears != 1)
        {
            await SetRenewalYearsAsync(subscription.Id, amendment.TermNumber, amendment.RenewalYears, ct);
        }

        var lines = await db.AmendmentLines.AsNoTracking().Where(l => l.AmendmentId == amendment.Id).OrderBy(l => l.Id)
            .Join(db.Products, l => l.ProductId, p => p.Id, (l, p) => new { p.Code, l.Quantity, l.NetYearlyUnitPrice, l.Currency }).ToListAsync(ct);
        await WebhookOutbox.AddAsync(db, now, ct, new WebhookEvent(WebhookEventTypes.AmendmentConfirmed, $"amendment{amendment.Id}", new
        {
            amendment_id = amendment.Id,
            subscription_id = amendment.SubscriptionId,
            account_id = subscription.AccountId,
            term_number = amendment.TermNumber,
            renewal_years = amendment.RenewalYears,
            confirmed_through = through == AmendmentConfirmation.SignedOrder ? "signed-order" : "customer",
            signed_order_reference = reference,
            lines = lines.Select(l => new { product = l.Code, quantity = l.Quantity, yearly_unit_price = l.NetYearlyUnitPrice, currency = l.Currency }).ToArray(),
        }));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task<AmendmentContext> ContextOfAsync(Subscription row, CancellationToken ct)
    {
        var (domain, policy) = Domain(row);
        var current = domain.Term(row.CurrentTermNumber);
        var today = domain.LocalDateOf(clock.GetCurrentInstant());
        var deadline = RenewalTimeline.CancellationDeadline(domain, policy, current);
        var products = await db.Products.AsNoTracking().ToDictionaryAsync(p => p.Id, ct);
        var lines = row.Lines.OrderBy(l => l.Id)
            .Select(l => new AmendmentLineView(products[l.ProductId].Code, products[l.ProductId].Name, l.Quantity, l.YearlyUnitPrice, 0, l.YearlyUnitPrice, l.Currency))
            .ToList();
        var history = await ViewsAsync(db.Amendments.Where(a => a.SubscriptionId == row.Id), ct);
        var open = history.FirstOrDefault(a => a.IsOpen && a.TermNumber == current.Number + 1);
        return new AmendmentContext(row.Id, row.AccountId, row.Account!.Name, row.Status, today, current, domain.Term(current.Number + 1), deadline,
            Rules.AmendmentIsOnTime(today, deadline) && today < current.End, lines, open, history,
            [.. products.Values.OrderBy(p => p.Code, StringComparer.Ordinal).Select(p => (p.Code, p.Name))], policy.RenewalYears);
    }

    private async Task<IReadOnlyList<AmendmentView>> ViewsAsync(IQueryable<AmendmentRow> query, CancellationToken ct)
    {
        var rows = await query.AsNoTracking().Include(a => a.Lines).OrderBy(a => a.Id).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var subscriptionIds = rows.Select(r => r.SubscriptionId).Distinct().ToList();
        var subscriptions = await db.Subscriptions.AsNoTracking().Include(s => s.Account).Include(s => s.PartnerContract).ThenInclude(c => c!.Partner)
            .Include(s => s.Policy).Where(s => subscriptionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var products = await db.Products.AsNoTracking().ToDictionaryAsync(p => p.Id, ct);
        return [.. rows.Select(a =>
        {
            var s = subscriptions[a.SubscriptionId];
            // The term as the amendment has it: its own length, confirmed or not yet.
            var term = Domain(s).Subscription.WithRenewalYears(a.TermNumber, a.RenewalYears).Term(a.TermNumber);
            return new AmendmentView(a.Id, a.SubscriptionId, s.AccountId, s.Account!.Name, a.TermNumber, term.Start, term.End, a.Status, a.Reason, a.MadeAt,
                a.MadeOn, a.MadeBy, a.Deadline, a.DeadlineOverrideReason, a.ConfirmedAt, a.ConfirmedBy, a.ConfirmedThrough, a.SignedOrderReference,
                a.ClosedAt,
                [.. a.Lines.OrderBy(l => l.Id).Select(l => new AmendmentLineView(products[l.ProductId].Code, products[l.ProductId].Name, l.Quantity,
                    l.YearlyUnitPrice, l.DiscountPercent, l.NetYearlyUnitPrice, l.Currency))],
                s.Account.TimeZoneId, a.RenewalYears);
        })];
    }

    /// <summary>The requested lines as the rules check them, priced: a new price, else the line's current one, else the catalogue's.</summary>
    private async Task<IReadOnlyList<(long ProductId, AmendedLine Line)>> LinesAsync(Subscription row, IReadOnlyList<AmendLine>? requested, CancellationToken ct)
    {
        var currency = row.Lines.FirstOrDefault()?.Currency ?? "EUR";
        var result = new List<(long, AmendedLine)>();
        foreach (var line in requested ?? [])
        {
            var product = await ProductAsync(line.ProductCode, ct);
            var current = row.Lines.FirstOrDefault(l => l.ProductId == product.Id);
            var price = line.YearlyUnitPrice ?? current?.YearlyUnitPrice
                ?? (string.Equals(product.Currency, currency, StringComparison.OrdinalIgnoreCase) ? product.YearlyUnitPrice : null)
                ?? throw new DomainException(DomainErrors.LinePriceMissing, product.Code);
            result.Add((product.Id, new AmendedLine(product.Id, line.Quantity, price, line.DiscountPercent, currency)));
        }

        _ = Rules.Lines(result.Select(r => r.Item2));
        return result;
    }

    private async Task<Product> ProductAsync(string? code, CancellationToken ct)
    {
        var trimmed = code?.Trim() ?? "";
        return await db.Products.AsNoTracking().SingleOrDefaultAsync(p => p.Code == trimmed, ct)
            ?? throw new DomainException(DomainErrors.ProductUnknown, trimmed);
    }

    private IQueryable<Subscription> VisibleSubscriptions(Actor actor)
    {
        return db.Subscriptions.OfAccountsVisibleTo(db.Accounts, actor, s => s.AccountId)
            .Include(s => s.Account).Include(s => s.Policy).Include(s => s.PartnerContract).ThenInclude(c => c!.Partner).Include(s => s.Lines);
    }

    private async Task<Subscription> SubscriptionAsync(Actor actor, long subscriptionId, CancellationToken ct) =>
        await VisibleSubscriptions(actor).SingleOrDefaultAsync(s => s.Id == subscriptionId, ct)
        ?? throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);

    /// <summary>
    /// Gives term <paramref name="termNumber"/> of the subscription its length (1: back to the plain
    /// 12 months) and moves the stored milestones that follow from it, in the caller's transaction.
    /// </summary>
    private async Task SetRenewalYearsAsync(long subscriptionId, int termNumber, int years, CancellationToken ct)
    {
        var row = await db.Subscriptions.Include(s => s.Account).Include(s => s.Policy).Include(s => s.PartnerContract).ThenInclude(c => c!.Partner)
            .SingleAsync(s => s.Id == subscriptionId, ct);
        var (domain, policy) = Domain(row);
        var lengthened = domain.WithRenewalYears(termNumber, years);
        row.RenewalLengths = DomainMapping.FormatLengths(lengthened.RenewalYears);
        await MilestonePlanner.ReplanAsync(db, row.Id, lengthened, policy, row.CurrentTermNumber, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The check before the transaction again, inside it and against the engine: the anniversary
    /// that begins the term is locked first on PostgreSQL, so an engine renewing it right now makes
    /// this wait and then refuse, and an engine that comes later skips it until this commits, then
    /// renews with the amendment. On SQLite the transaction holds the write lock from its start.
    /// Without it, a confirmation racing the anniversary left a confirmed amendment never applied
    /// and a length that moved the milestones of a term already renewed for a year.
    /// </summary>
    private async Task MustNotHaveStartedAsync(long subscriptionId, int termNumber, CancellationToken ct)
    {
        if (db is PostgresRenewalsDbContext)
        {
            await db.Database.ExecuteSqlAsync(
                $"SELECT id FROM milestones WHERE subscription_id = {subscriptionId} AND term_number = {termNumber - 1} AND kind = {(int)MilestoneKind.Anniversary} AND status = 0 FOR UPDATE",
                ct);
        }

        var current = await db.Subscriptions.AsNoTracking().Where(s => s.Id == subscriptionId).Select(s => s.CurrentTermNumber).SingleAsync(ct);
        if (current >= termNumber)
        {
            var started = await db.Terms.AsNoTracking().Where(t => t.SubscriptionId == subscriptionId && t.Number == termNumber)
                .Select(t => t.Start).FirstOrDefaultAsync(ct);
            throw new DomainException(DomainErrors.AmendmentTermStarted, started);
        }
    }

    private static void MustRenew(Subscription row)
    {
        if (row.Status != SubscriptionStatus.Active)
        {
            throw new DomainException(DomainErrors.AmendmentSubscriptionNotRenewing, row.EndsOn ?? row.Start);
        }
    }

    private static (DomainSubscription Subscription, Domain.Policies.RenewalPolicy Policy) Domain(Subscription row)
    {
        var zone = DateTimeZoneProviders.Tzdb[row.Account!.TimeZoneId];
        var partner = DomainMapping.ToDomain(row.PartnerContract, row.PartnerContract?.Partner?.Name ?? "partner");
        return (DomainMapping.ToDomain(row.Account.Name, row.Start, row.InitialTermYears, zone, row.Billing, partner, row.IsFirstInProductFamily, row.RenewalLengths),
            DomainMapping.ToDomain(row.Policy!));
    }

    private static string Describe(IEnumerable<AmendmentLine> lines) =>
        string.Join(", ", lines.Select(l => $"product {l.ProductId} × {l.Quantity} at {l.NetYearlyUnitPrice} {l.Currency}"));

    private void Audit(Instant at, string actor, string action, long id, string details) =>
        db.Audit.Add(new AuditEntry { At = at, Actor = actor, Action = action, Entity = action.StartsWith("subscription", StringComparison.Ordinal) ? "subscription" : "amendment", EntityId = id, Details = details });

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
