using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Advisors;

/// <summary>A subscription in the book: when it renews, what comes next and what may go wrong.</summary>
public sealed record BookSubscription(
    long Id, SubscriptionStatus Status, int TermNumber, LocalDate RenewalDate, LocalDate? EndsOn, LocalDate? NextKeyDate, MilestoneKind? NextKeyKind,
    string Currency, decimal RenewalAmount, RiskFlags Risks);

/// <summary>An account of the book with its subscriptions; <see cref="Risks"/> gathers theirs.</summary>
public sealed record BookAccount(
    long Id, string Name, string TimeZoneId, bool RequiresPurchaseOrder, string? Partner, LocalDate? NextKeyDate, RiskFlags Risks,
    IReadOnlyList<BookSubscription> Subscriptions);

/// <summary>The advisor's book: its accounts (an administrator sees every account).</summary>
public sealed class AdvisorBookService(RenewalsDbContext db, IClock clock)
{
    public async Task<IReadOnlyList<BookAccount>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var accounts = await db.Accounts.AsNoTracking().VisibleTo(actor).OrderBy(a => a.Name).ThenBy(a => a.Id)
            .Select(a => new { a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder, Partner = a.Partner == null ? null : a.Partner.Name })
            .ToListAsync(ct);
        var facts = (await BookFacts.ReadAsync(db, clock, actor, ct)).ToLookup(f => f.AccountId);
        return [.. accounts.Select(a =>
        {
            var subscriptions = facts[a.Id].Select(ToView).ToList();
            return new BookAccount(a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder, a.Partner,
                subscriptions.Where(s => s.NextKeyDate is not null).Select(s => s.NextKeyDate).Min(),
                subscriptions.Aggregate(RiskFlags.None, (risks, s) => risks.Or(s.Risks)), subscriptions);
        })];
    }

    /// <summary>One account of the book; null when it does not exist or is not the actor's.</summary>
    public async Task<BookAccount?> FindAsync(Actor actor, long accountId, CancellationToken ct = default) =>
        (await ListAsync(actor, ct)).SingleOrDefault(a => a.Id == accountId);

    /// <summary>Whether the account's page opens for the actor: a task of the unassigned queue may belong to an account outside every book.</summary>
    public Task<bool> HoldsAsync(Actor actor, long accountId, CancellationToken ct = default) =>
        db.Accounts.AsNoTracking().VisibleTo(actor).AnyAsync(a => a.Id == accountId, ct);

    private static BookSubscription ToView(SubscriptionFacts f) =>
        new(f.SubscriptionId, f.Status, f.TermNumber, f.RenewalDate, f.EndsOn, f.NextKeyDate, f.NextKeyKind, f.Currency, f.RenewalAmount, f.Risks);
}
