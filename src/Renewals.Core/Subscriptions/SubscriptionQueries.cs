using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Timeline;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;

namespace Renewals.Core.Subscriptions;

/// <summary>One line of the subscription list.</summary>
public sealed record SubscriptionSummary(
    long Id, long AccountId, string Account, SubscriptionStatus Status, LocalDate Start, int InitialTermYears, BillingMode Billing,
    int CurrentTermNumber, LocalDate? EndsOn, string? Partner);

public sealed record LineView(string ProductCode, string Product, string Family, int Quantity, decimal YearlyUnitPrice, string Currency);

/// <summary>A stored term: <see cref="End"/> is the renewal date, <see cref="LastDay"/> the last day it covers, <see cref="Years"/> its length.</summary>
public sealed record TermView(int Number, LocalDate Start, LocalDate End, LocalDate LastDay, bool IsLocked, int Years = 1);

/// <summary>A key date with what became of it (pending, done, skipped and why) and why it falls there.</summary>
public sealed record KeyDateView(int TermNumber, string Key, MilestoneKind Kind, LocalDate Date, MilestoneStatus Status, string? Outcome, string Title, string Reason);

public sealed record NoticeView(
    long Id, long SubscriptionId, LocalDate ReceivedOn, NoticeFiler FiledBy, NoticeChannel Channel, string SignedBy, int ReceivedInTerm,
    bool IsOnTime, LocalDate EffectiveEndDate, Instant? WithdrawnAt, string? LetterFile);

public sealed record PurchaseOrderView(string Number, long? SubscriptionId, LocalDate? ValidFrom, LocalDate? ValidUntil, decimal? Amount);

public sealed record InvoiceView(string? Number, LocalDate IssuedOn, LocalDate PeriodStart, LocalDate PeriodEnd, decimal Total, string Currency, string? PurchaseOrderNumber);

public sealed record PartnerTerms(string Partner, int NoticeDays, bool FiledByPartnerOnly);

/// <summary>A subscription with its whole story so far.</summary>
public sealed record SubscriptionDetails(
    SubscriptionSummary Summary, string TimeZoneId, LicenceDelivery LicenceDelivery, PartnerTerms? PartnerContract, bool RecommendedValidation,
    NewToCustomer NewToCustomer, IReadOnlyList<LineView> Lines, IReadOnlyList<TermView> Terms, IReadOnlyList<KeyDateView> KeyDates,
    IReadOnlyList<NoticeView> Notices, IReadOnlyList<PurchaseOrderView> PurchaseOrders, IReadOnlyList<InvoiceView> Invoices,
    TermView? ComingTerm = null);

/// <summary>Reads subscriptions for the operator: the list, and one subscription in full.</summary>
public sealed class SubscriptionQueries(RenewalsDbContext db)
{
    public async Task<IReadOnlyList<SubscriptionSummary>> ListAsync(long? accountId = null, CancellationToken ct = default)
    {
        // An empty list would read as "no subscriptions" for an account that does not exist.
        if (accountId is { } id && !await db.Accounts.AnyAsync(a => a.Id == id, ct))
        {
            throw new DomainException(DomainErrors.AccountUnknown, id);
        }

        return await db.Subscriptions.AsNoTracking()
            .Where(s => accountId == null || s.AccountId == accountId)
            .OrderBy(s => s.Id)
            .Select(s => new SubscriptionSummary(s.Id, s.AccountId, s.Account!.Name, s.Status, s.Start, s.InitialTermYears, s.Billing,
                s.CurrentTermNumber, s.EndsOn, s.PartnerContract!.Partner!.Name))
            .ToListAsync(ct);
    }

    public async Task<SubscriptionDetails> ShowAsync(long subscriptionId, CultureInfo culture, CancellationToken ct = default)
    {
        // One statement for the subscription, its account, policy, partner, lines and terms (issue 13, load: a split
        // query was three round trips). The lines' product and family are subqueries, not a join inside the lines'
        // derived table: SQLite would build that table for every subscription's lines before filtering on this one
        // (44 s at 1,000,000 subscriptions in the load measure of session 10).
        var row = await db.Subscriptions.AsNoTracking().AsSingleQuery()
                .Where(x => x.Id == subscriptionId)
                .Select(x => new
                {
                    Subscription = x,
                    x.Account,
                    x.Policy,
                    x.PartnerContract,
                    Partner = x.PartnerContract == null ? null : x.PartnerContract.Partner,
                    Lines = db.SubscriptionLines.Where(l => l.SubscriptionId == x.Id)
                        .Select(l => new
                        {
                            l.Id,
                            View = new LineView(
                                db.Products.Where(p => p.Id == l.ProductId).Select(p => p.Code).FirstOrDefault()!,
                                db.Products.Where(p => p.Id == l.ProductId).Select(p => p.Name).FirstOrDefault()!,
                                db.Products.Where(p => p.Id == l.ProductId).Select(p => p.Family!.Name).FirstOrDefault()!,
                                l.Quantity, l.YearlyUnitPrice, l.Currency),
                        }).ToList(),
                    Terms = db.Terms.Where(t => t.SubscriptionId == x.Id).ToList(),
                })
                .SingleOrDefaultAsync(ct)
            ?? throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);
        var s = row.Subscription;
        s.Account = row.Account;
        s.Policy = row.Policy;
        s.PartnerContract = row.PartnerContract;
        if (s.PartnerContract is not null)
        {
            s.PartnerContract.Partner = row.Partner;
        }

        var account = s.Account!;
        var partner = s.PartnerContract is { } c ? new PartnerTerms(c.Partner!.Name, c.NoticeDays, c.CancellationFiledByPartnerOnly) : null;
        var domain = DomainMapping.ToDomain(account.Name, s.Start, s.InitialTermYears, DateTimeZoneProviders.Tzdb[account.TimeZoneId], s.Billing,
            DomainMapping.ToDomain(s.PartnerContract, partner?.Partner ?? ""), s.IsFirstInProductFamily, s.RenewalLengths);
        var policy = DomainMapping.ToDomain(s.Policy!);

        var milestones = await db.Milestones.AsNoTracking().Where(m => m.SubscriptionId == subscriptionId)
            .OrderBy(m => m.Date).ThenBy(m => m.Kind).ToListAsync(ct);
        var timelines = milestones.Select(m => m.TermNumber).Distinct()
            .ToDictionary(n => n, n => RenewalTimeline.ForTerm(domain, policy, n).Milestones);
        var keyDates = milestones.Select(m =>
        {
            var planned = timelines[m.TermNumber].FirstOrDefault(t => t.Kind == m.Kind && t.Variant == m.Variant);
            return new KeyDateView(m.TermNumber, planned?.Key ?? m.Kind.ToString(), m.Kind, m.Date, m.Status, m.Outcome,
                planned?.Title(culture) ?? m.Kind.ToString(), planned?.Describe(culture) ?? "");
        }).ToList();

        var zone = DateTimeZoneProviders.Tzdb[account.TimeZoneId];
        var notices = await db.CancellationNotices.AsNoTracking().Where(n => n.SubscriptionId == subscriptionId).OrderBy(n => n.Id).ToListAsync(ct);
        var orders = await db.PurchaseOrders.AsNoTracking()
            .Where(p => p.AccountId == s.AccountId && (p.SubscriptionId == null || p.SubscriptionId == subscriptionId))
            .OrderBy(p => p.Id)
            .Select(p => new PurchaseOrderView(p.Number, p.SubscriptionId, p.ValidFrom, p.ValidUntil, p.Amount))
            .ToListAsync(ct);
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.SubscriptionId == subscriptionId)
            .OrderBy(i => i.IssuedOn).ThenBy(i => i.Id)
            .Select(i => new InvoiceView(i.Number, i.IssuedOn, i.PeriodStart, i.PeriodEnd, i.Total, i.Currency, i.PurchaseOrderNumber))
            .ToListAsync(ct);

        return new SubscriptionDetails(
            new SubscriptionSummary(s.Id, s.AccountId, account.Name, s.Status, s.Start, s.InitialTermYears, s.Billing, s.CurrentTermNumber, s.EndsOn, partner?.Partner),
            account.TimeZoneId, s.LicenceDelivery, partner, s.IsFirstInProductFamily, NewToCustomer.Parse(s.NewToCustomer),
            [.. row.Lines.OrderBy(l => l.Id).Select(l => l.View)],
            [.. row.Terms.OrderBy(t => t.Number).Select(t => new TermView(t.Number, t.Start, t.End, t.End.PlusDays(-1), t.IsLocked, domain.YearsOf(t.Number)))],
            keyDates,
            [.. notices.Select(n => ToView(n, zone))],
            orders,
            invoices,
            // The term a renewal would start: its length is 12 months unless a confirmed amendment chose more.
            s.Status == SubscriptionStatus.Active && domain.Term(s.CurrentTermNumber + 1) is var coming
                ? new TermView(coming.Number, coming.Start, coming.End, coming.End.PlusDays(-1), IsLocked: false, domain.YearsOf(coming.Number))
                : null);
    }

    internal static NoticeView ToView(CancellationNotice n, DateTimeZone zone) =>
        new(n.Id, n.SubscriptionId, n.ReceivedAt.InZone(zone).Date, n.FiledBy, n.Channel, n.SignedBy, n.ReceivedInTerm, n.IsOnTime,
            n.EffectiveEndDate, n.WithdrawnAt, n.LetterFile);
}
