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
public sealed class AdvisorBookService(RenewalsDbContext db, IClock clock, Invoicing.Seller seller)
{
    public async Task<IReadOnlyList<BookAccount>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var accounts = await db.Accounts.AsNoTracking().VisibleTo(actor).OrderBy(a => a.Name).ThenBy(a => a.Id)
            .Select(a => new AccountRow(a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder, a.Partner == null ? null : a.Partner.Name))
            .ToListAsync(ct);
        return await WithFactsAsync(actor, accounts, all: true, ct);
    }

    /// <summary>
    /// One page of the book, by account name then id; the facts (and so the risks) are read for
    /// the page's accounts only.
    /// </summary>
    public async Task<Paged<BookAccount>> PageAsync(Actor actor, PageAt at, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(at);
        var (rows, skipped, total) = await AccountPages.ReadAsync(db.Accounts.VisibleTo(actor), at, ct);
        return Paged.Of(await WithFactsAsync(actor, rows, all: false, ct), skipped, total, a => a.Id);
    }

    /// <summary>One account of the book; null when it does not exist or is not the actor's.</summary>
    public async Task<BookAccount?> FindAsync(Actor actor, long accountId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var accounts = await db.Accounts.AsNoTracking().VisibleTo(actor).Where(a => a.Id == accountId)
            .Select(a => new AccountRow(a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder, a.Partner == null ? null : a.Partner.Name))
            .ToListAsync(ct);
        return (await WithFactsAsync(actor, accounts, all: false, ct)).SingleOrDefault();
    }

    /// <summary>Which of these accounts are in the actor's book (their pages open), in one query.</summary>
    public async Task<IReadOnlySet<long>> HeldAsync(Actor actor, IReadOnlyCollection<long> accountIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(accountIds);
        if (accountIds.Count == 0)
        {
            return new HashSet<long>();
        }

        return (await db.Accounts.AsNoTracking().VisibleTo(actor).Where(a => accountIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
    }

    private async Task<IReadOnlyList<BookAccount>> WithFactsAsync(Actor actor, List<AccountRow> accounts, bool all, CancellationToken ct)
    {
        if (accounts.Count == 0)
        {
            return [];
        }

        var facts = (await BookFacts.ReadAsync(db, clock, actor, all ? null : [.. accounts.Select(a => a.Id)], seller, ct)).ToLookup(f => f.AccountId);
        return [.. accounts.Select(a =>
        {
            var subscriptions = facts[a.Id].Select(ToView).ToList();
            return new BookAccount(a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder, a.Partner,
                subscriptions.Where(s => s.NextKeyDate is not null).Select(s => s.NextKeyDate).Min(),
                subscriptions.Aggregate(RiskFlags.None, (risks, s) => risks.Or(s.Risks)), subscriptions);
        })];
    }

    /// <summary>Whether the account's page opens for the actor: a task of the unassigned queue may belong to an account outside every book.</summary>
    public Task<bool> HoldsAsync(Actor actor, long accountId, CancellationToken ct = default) =>
        db.Accounts.AsNoTracking().VisibleTo(actor).AnyAsync(a => a.Id == accountId, ct);

    private static BookSubscription ToView(SubscriptionFacts f) =>
        new(f.SubscriptionId, f.Status, f.TermNumber, f.RenewalDate, f.EndsOn, f.NextKeyDate, f.NextKeyKind, f.Currency, f.RenewalAmount, f.Risks);
}
