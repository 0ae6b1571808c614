using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Invoicing;
using Renewals.Domain.Timeline;

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

    public static Task<IReadOnlyList<SubscriptionFacts>> ReadAsync(RenewalsDbContext db, IClock clock, Actor actor, CancellationToken ct = default) =>
        ReadAsync(db, clock, actor, null, ct);

    /// <param name="only">The accounts to read (a page of the book), among those the actor sees; null for all of them.</param>
    public static async Task<IReadOnlyList<SubscriptionFacts>> ReadAsync(
        RenewalsDbContext db, IClock clock, Actor actor, IReadOnlyCollection<long>? only, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        // A page's facts cost what the page holds, not what the book holds.
        var visible = only is null ? db.Accounts.VisibleTo(actor) : db.Accounts.VisibleTo(actor).Where(a => only.Contains(a.Id));
        var accountIds = visible.Select(a => a.Id);
        var accounts = await visible.AsNoTracking()
            .Select(a => new { a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder }).ToDictionaryAsync(a => a.Id, ct);
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => accountIds.Contains(s.AccountId))
            .Select(s => new { s.Id, s.AccountId, s.Status, s.CurrentTermNumber, s.EndsOn, s.Start, s.InitialTermYears, s.Billing, s.RenewalLengths })
            .OrderBy(s => s.AccountId).ThenBy(s => s.Id).ToListAsync(ct);
        var subscriptionIds = db.Subscriptions.Where(s => accountIds.Contains(s.AccountId)).Select(s => s.Id);
        var terms = await db.Terms.AsNoTracking().Where(t => subscriptionIds.Contains(t.SubscriptionId))
            .Join(db.Subscriptions, t => new { t.SubscriptionId, t.Number }, s => new { SubscriptionId = s.Id, Number = s.CurrentTermNumber }, (t, s) => t)
            .ToDictionaryAsync(t => t.SubscriptionId, ct);
        var lines = (await db.SubscriptionLines.AsNoTracking().Where(l => subscriptionIds.Contains(l.SubscriptionId)).ToListAsync(ct))
            .ToLookup(l => l.SubscriptionId);
        var pending = (await db.Milestones.AsNoTracking().Where(m => subscriptionIds.Contains(m.SubscriptionId) && m.Status == MilestoneStatus.Pending)
            .Select(m => new { m.SubscriptionId, m.Date, m.Kind, m.TermNumber }).ToListAsync(ct)).ToLookup(m => m.SubscriptionId);
        var noticed = (await db.CancellationNotices.AsNoTracking().Where(n => subscriptionIds.Contains(n.SubscriptionId) && n.WithdrawnAt == null)
            .Select(n => n.SubscriptionId).ToListAsync(ct)).ToHashSet();
        var checkIns = await db.AdvisorTasks.AsNoTracking()
            .Where(t => t.AccountId != null && accountIds.Contains(t.AccountId.Value) && t.Kind == AdvisorTaskKinds.CheckIn && t.Status == AdvisorTaskStatus.Open)
            .Select(t => new { AccountId = t.AccountId!.Value, t.SubscriptionId, t.DueOn }).ToListAsync(ct);
        var orders = (await db.PurchaseOrders.AsNoTracking().Where(p => accountIds.Contains(p.AccountId)).ToListAsync(ct)).ToLookup(p => p.AccountId);
        var overdue = await OverdueSubscriptionsAsync(db, subscriptionIds, clock.GetCurrentInstant(), ct);

        var now = clock.GetCurrentInstant();
        // A day more than a year back, then the exact 12 months of each account's own calendar below.
        var feedbackSince = now.Minus(Duration.FromDays(367));
        var lastFeedback = (await db.AdvisorFeedback.AsNoTracking().Where(f => accountIds.Contains(f.AccountId) && f.GivenAt >= feedbackSince)
                .Select(f => new { f.Id, f.AccountId, f.GivenAt, f.Useful, f.Rating }).ToListAsync(ct))
            .GroupBy(f => f.AccountId).ToDictionary(g => g.Key, g => g.OrderByDescending(f => f.GivenAt).ThenByDescending(f => f.Id).First());
        var result = new List<SubscriptionFacts>(subscriptions.Count);
        foreach (var s in subscriptions)
        {
            var account = accounts[s.AccountId];
            var zone = DateTimeZoneProviders.Tzdb[account.TimeZoneId];
            var today = now.InZone(zone).Date;
            var domain = DomainMapping.ToDomain(account.Name, s.Start, s.InitialTermYears, zone, s.Billing, null, isFirstInFamily: false, s.RenewalLengths);
            var renewalDate = terms.TryGetValue(s.Id, out var term) ? term.End : domain.Term(s.CurrentTermNumber).End;
            var subscriptionLines = lines[s.Id].ToList();
            var next = pending[s.Id].Where(m => m.Date >= today).OrderBy(m => m.Date).ThenBy(m => m.Kind).FirstOrDefault();
            var deadline = pending[s.Id].Where(m => m.Kind == MilestoneKind.CancellationDeadline).OrderBy(m => m.Date).Select(m => (LocalDate?)m.Date).FirstOrDefault();

            var poMissing = false;
            if (account.RequiresPurchaseOrder && s.Status == SubscriptionStatus.Active && renewalDate >= today
                && Period.Between(today, renewalDate, PeriodUnits.Days).Days <= PurchaseOrderWarningDays)
            {
                // The invoice the anniversary will issue: the next term, dated the renewal day (as MilestoneExecutor bills it).
                var nextTerm = domain.Term(s.CurrentTermNumber + 1);
                var cover = PurchaseOrderCover.Find(
                    orders[s.AccountId].Select(p => new PurchaseOrderTerms(p.Id, p.SubscriptionId, p.Number, p.ValidFrom, p.ValidUntil, p.RegisteredAt, p.RegisteredAt.InZone(zone).Date)),
                    new InvoiceToCover(s.Id, nextTerm.Start, nextTerm.End, renewalDate));
                poMissing = cover is null;
            }

            var checkInLate = checkIns.Any(t => t.AccountId == s.AccountId && (t.SubscriptionId == s.Id || t.SubscriptionId == null) && t.DueOn < today);
            var lowFeedback = lastFeedback.TryGetValue(s.AccountId, out var last) && last.GivenAt.InZone(zone).Date >= today.PlusMonths(-FeedbackMonths)
                && (last.Rating <= LowRating || !last.Useful);
            result.Add(new SubscriptionFacts(
                s.Id, s.AccountId, account.Name, account.TimeZoneId, today, s.Status, s.CurrentTermNumber, renewalDate, s.EndsOn,
                subscriptionLines.Select(l => l.Currency).FirstOrDefault() ?? "", subscriptionLines.Sum(l => l.YearlyUnitPrice * l.Quantity),
                next?.Date, next?.Kind, deadline, new RiskFlags(noticed.Contains(s.Id), poMissing, checkInLate, lowFeedback, overdue.Contains(s.Id))));
        }

        return result;
    }

    /// <summary>The subscriptions with an invoice overdue on the vendor's date (past due, still owed, neither credited nor disputed).</summary>
    private static async Task<HashSet<long>> OverdueSubscriptionsAsync(RenewalsDbContext db, IQueryable<long> subscriptionIds, Instant now, CancellationToken ct)
    {
        var today = Payments.InvoiceStatuses.VendorDate(now);
        var late = db.Invoices.Where(i => i.Number != null && i.DueOn < today && subscriptionIds.Contains(i.SubscriptionId)).Select(i => i.Id);
        var states = await Payments.InvoiceStatuses.ReadAsync(db, late, today, ct);
        var overdueIds = states.Values.Where(v => v.Status == Domain.Payments.InvoiceStatus.Overdue).Select(v => v.InvoiceId).ToList();
        return (await db.Invoices.AsNoTracking().Where(i => overdueIds.Contains(i.Id)).Select(i => i.SubscriptionId).ToListAsync(ct)).ToHashSet();
    }
}
