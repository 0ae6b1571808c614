using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Invoicing;
using Renewals.Domain.Timeline;
using DomainSubscription = Renewals.Domain.Subscriptions.Subscription;

namespace Renewals.Core.Advisors;

/// <summary>
/// What may go wrong with a renewal: a written notice was received (not withdrawn); the
/// account needs a purchase order, the renewal is 60 days away or less and no registered
/// order covers its invoice (the engine's own cover rule); the check-in task is still open
/// past its due date; the account's last feedback on its advisor within 12 months was low
/// (a rating of <see cref="BookFacts.LowRating"/> or less, or "not useful"); an invoice of the
/// subscription is overdue (the vendor's date, issue 14).
/// </summary>
public sealed record RiskFlags(bool NoticeReceived, bool PurchaseOrderMissing, bool CheckInNotHeld, bool LowFeedback = false, bool InvoiceOverdue = false)
{
    public static RiskFlags None { get; } = new(false, false, false);

    public bool Any => NoticeReceived || PurchaseOrderMissing || CheckInNotHeld || LowFeedback || InvoiceOverdue;

    public RiskFlags Or(RiskFlags other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(NoticeReceived || other.NoticeReceived, PurchaseOrderMissing || other.PurchaseOrderMissing, CheckInNotHeld || other.CheckInNotHeld,
            LowFeedback || other.LowFeedback, InvoiceOverdue || other.InvoiceOverdue);
    }
}

/// <summary>One subscription as the book, the pipeline and the portal read it.</summary>
/// <param name="Today">The account's local date now.</param>
/// <param name="RenewalDate">The end of the current term: the day it renews (or ends).</param>
/// <param name="RenewalAmount">The renewal invoice's net: the lines' yearly unit price times quantity.</param>
/// <param name="NextKeyDate">The date of its next pending milestone, with <paramref name="NextKeyKind"/>.</param>
public sealed record SubscriptionFacts(
    long SubscriptionId, long AccountId, string Account, string TimeZoneId, LocalDate Today, SubscriptionStatus Status, int TermNumber,
    LocalDate RenewalDate, LocalDate? EndsOn, string Currency, decimal RenewalAmount, LocalDate? NextKeyDate, MilestoneKind? NextKeyKind,
    LocalDate? CancellationDeadline, RiskFlags Risks);

/// <summary>Reads the facts of every subscription an actor may see, in a fixed number of queries.</summary>
public static class BookFacts
{
    /// <summary>How close a renewal must be for a missing purchase order to count as a risk.</summary>
    public const int PurchaseOrderWarningDays = 60;

    /// <summary>A rating this low (out of 5) flags the account.</summary>
    public const int LowRating = 2;

    /// <summary>How far back the account's last feedback counts.</summary>
    public const int FeedbackMonths = 12;

    /// <param name="only">The accounts to read (a page of the book), among those the actor sees; null for all of them.</param>
    /// <param name="vendor">The seller, whose date says when an invoice is past due.</param>
    public static async Task<IReadOnlyList<SubscriptionFacts>> ReadAsync(
        RenewalsDbContext db, IClock clock, Actor actor, IReadOnlyCollection<long>? only, Invoicing.Seller vendor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(vendor);
        var now = clock.GetCurrentInstant();
        // A page's facts cost what the page holds, not what the book holds.
        var visible = only is null ? db.Accounts.VisibleTo(actor) : db.Accounts.VisibleTo(actor).Where(a => only.Contains(a.Id));
        var accountIds = visible.Select(a => a.Id);
        // A day more than a year back, then the exact 12 months of each account's own calendar below.
        var feedbackSince = now.Minus(Duration.FromDays(367));

        // Three queries, one per kind of row the facts are made of (issue 13, load): the accounts with what
        // hangs on the account (open check-ins, purchase orders, feedback of the last year),
        // the subscriptions with what hangs on the subscription (current term, notice, lines, pending
        // milestones), and the subscriptions' invoices already past due. Each collection is a join in the
        // same statement, not a statement of its own; only the columns the facts use are read.
        var accounts = await visible.AsNoTracking().AsSingleQuery()
            .Select(a => new
            {
                a.Id,
                a.Name,
                a.TimeZoneId,
                a.RequiresPurchaseOrder,
                CheckIns = db.AdvisorTasks
                    .Where(t => t.AccountId != null && t.AccountId.Value == a.Id && t.Kind == AdvisorTaskKinds.CheckIn && t.Status == AdvisorTaskStatus.Open)
                    .Select(t => new CheckInRow(t.SubscriptionId, t.DueOn)).ToList(),
                Orders = db.PurchaseOrders.Where(p => p.AccountId == a.Id)
                    .Select(p => new OrderRow(p.Id, p.SubscriptionId, p.Number, p.ValidFrom, p.ValidUntil, p.RegisteredAt)).ToList(),
                // Only equalities with the account's columns: anything else would need an APPLY, which SQLite has not.
                Feedback = db.AdvisorFeedback.Where(f => f.AccountId == a.Id && f.GivenAt >= feedbackSince)
                    .Select(f => new FeedbackRow(f.Id, f.GivenAt, f.Useful, f.Rating)).ToList(),
            })
            .ToDictionaryAsync(a => a.Id, ct);
        if (accounts.Count == 0)
        {
            return [];
        }

        var subscriptions = await db.Subscriptions.AsNoTracking().AsSingleQuery().Where(s => accountIds.Contains(s.AccountId))
            .OrderBy(s => s.AccountId).ThenBy(s => s.Id)
            .Select(s => new
            {
                s.Id,
                s.AccountId,
                s.Status,
                s.CurrentTermNumber,
                s.EndsOn,
                s.Start,
                s.InitialTermYears,
                s.Billing,
                s.RenewalLengths,
                TermEnd = db.Terms.Where(t => t.SubscriptionId == s.Id && t.Number == s.CurrentTermNumber).Select(t => (LocalDate?)t.End).FirstOrDefault(),
                Noticed = db.CancellationNotices.Any(n => n.SubscriptionId == s.Id && n.WithdrawnAt == null),
                Lines = db.SubscriptionLines.Where(l => l.SubscriptionId == s.Id).OrderBy(l => l.Id)
                    .Select(l => new LineRow(l.Currency, l.YearlyUnitPrice, l.Quantity)).ToList(),
                Pending = db.Milestones.Where(m => m.SubscriptionId == s.Id && m.Status == MilestoneStatus.Pending)
                    .Select(m => new PendingRow(m.Date, m.Kind)).ToList(),
            })
            .ToListAsync(ct);
        var overdue = await OverdueSubscriptionsAsync(db, [.. subscriptions.Select(s => s.Id)], vendor.Today(now), ct);

        // The account's zone and local date once per account, not once per subscription.
        var days = accounts.Values.ToDictionary(a => a.Id, a =>
        {
            var zone = DateTimeZoneProviders.Tzdb[a.TimeZoneId];
            return (Zone: zone, Today: now.InZone(zone).Date);
        });
        var result = new List<SubscriptionFacts>(subscriptions.Count);
        foreach (var s in subscriptions)
        {
            var account = accounts[s.AccountId];
            var (zone, today) = days[s.AccountId];
            // The term arithmetic only when a stored row does not already say it (a term not yet written, a purchase order to check).
            DomainSubscription Plan() => DomainMapping.ToDomain(account.Name, s.Start, s.InitialTermYears, zone, s.Billing, null, isFirstInFamily: false, s.RenewalLengths);
            var renewalDate = s.TermEnd ?? Plan().Term(s.CurrentTermNumber).End;
            PendingRow? next = null;
            LocalDate? deadline = null;
            foreach (var m in s.Pending)
            {
                if (m.Date >= today && (next is null || m.Date < next.Date || (m.Date == next.Date && m.Kind < next.Kind)))
                {
                    next = m;
                }

                if (m.Kind == MilestoneKind.CancellationDeadline && (deadline is null || m.Date < deadline))
                {
                    deadline = m.Date;
                }
            }

            var poMissing = false;
            if (account.RequiresPurchaseOrder && s.Status == SubscriptionStatus.Active && renewalDate >= today
                && Period.Between(today, renewalDate, PeriodUnits.Days).Days <= PurchaseOrderWarningDays)
            {
                // The invoice the anniversary will issue: the next term, dated the renewal day (as MilestoneExecutor bills it).
                var nextTerm = Plan().Term(s.CurrentTermNumber + 1);
                var cover = PurchaseOrderCover.Find(
                    account.Orders.Select(p => new PurchaseOrderTerms(p.Id, p.SubscriptionId, p.Number, p.ValidFrom, p.ValidUntil, p.RegisteredAt, p.RegisteredAt.InZone(zone).Date)),
                    new InvoiceToCover(s.Id, nextTerm.Start, nextTerm.End, renewalDate));
                poMissing = cover is null;
            }

            var checkInLate = account.CheckIns.Any(t => (t.SubscriptionId == s.Id || t.SubscriptionId == null) && t.DueOn < today);
            var last = account.Feedback.OrderByDescending(f => f.GivenAt).ThenByDescending(f => f.Id).FirstOrDefault();
            var lowFeedback = last is not null && last.GivenAt.InZone(zone).Date >= today.PlusMonths(-FeedbackMonths)
                && (last.Rating <= LowRating || !last.Useful);
            var amount = 0m;
            foreach (var l in s.Lines)
            {
                amount += l.YearlyUnitPrice * l.Quantity;
            }

            result.Add(new SubscriptionFacts(
                s.Id, s.AccountId, account.Name, account.TimeZoneId, today, s.Status, s.CurrentTermNumber, renewalDate, s.EndsOn,
                s.Lines.Count > 0 ? s.Lines[0].Currency : "", amount,
                next?.Date, next?.Kind, deadline, new RiskFlags(s.Noticed, poMissing, checkInLate, lowFeedback, overdue.Contains(s.Id))));
        }

        return result;
    }

    /// <summary>
    /// The subscriptions with an invoice overdue on the vendor's date (past due, still owed, neither credited nor disputed):
    /// the standing of <see cref="Payments.InvoiceStatuses"/> (the same rule, <see cref="Domain.Payments.InvoiceStanding"/>),
    /// its four reads made one here since the page asks it of only the invoices already past due.
    /// </summary>
    private static async Task<HashSet<long>> OverdueSubscriptionsAsync(RenewalsDbContext db, List<long> subscriptionIds, LocalDate today, CancellationToken ct)
    {
        if (subscriptionIds.Count == 0)
        {
            return [];
        }

        var late = await db.Invoices.AsNoTracking().AsSingleQuery()
            .Where(i => i.Number != null && i.DueOn < today && subscriptionIds.Contains(i.SubscriptionId))
            .Select(i => new
            {
                i.SubscriptionId,
                i.Total,
                i.DueOn,
                // Summed here: SQLite cannot add decimals in SQL. A reversed payment (bounced) pays nothing.
                Paid = db.PaymentAllocations.Where(a => a.InvoiceId == i.Id && db.Payments.Any(p => p.Id == a.PaymentId && p.ReversedAt == null))
                    .Select(a => a.Amount).ToList(),
                Credited = db.CreditNotes.Any(c => c.InvoiceId == i.Id),
                Disputed = db.InvoiceDisputes.Any(d => d.ClearedAt == null && d.InvoiceId == i.Id),
            })
            .ToListAsync(ct);
        return [.. late.Where(i => Domain.Payments.InvoiceStanding.Of(new Domain.Payments.InvoiceFacts(i.Total, i.Paid.Sum(), i.DueOn, i.Credited, i.Disputed), today) == Domain.Payments.InvoiceStatus.Overdue)
            .Select(i => i.SubscriptionId)];
    }

    private sealed record CheckInRow(long? SubscriptionId, LocalDate DueOn);

    private sealed record OrderRow(long Id, long? SubscriptionId, string Number, LocalDate? ValidFrom, LocalDate? ValidUntil, Instant RegisteredAt);

    private sealed record FeedbackRow(long Id, Instant GivenAt, bool Useful, int Rating);

    private sealed record LineRow(string Currency, decimal YearlyUnitPrice, int Quantity);

    private sealed record PendingRow(LocalDate Date, MilestoneKind Kind);
}
