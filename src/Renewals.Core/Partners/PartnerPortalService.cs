using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Cancellations;
using Renewals.Core.Messaging;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Partners;

/// <summary>
/// A customer's subscription as its partner sees it: when it renews and, under the partner's
/// contract, the last day a notice takes effect this term (null once that day is past).
/// </summary>
public sealed record PartnerSubscription(
    long Id, SubscriptionStatus Status, int TermNumber, LocalDate RenewalDate, LocalDate? EndsOn, LocalDate? CancellationDeadline,
    int? NoticeDays, bool FiledByPartnerOnly, LocalDate? NextKeyDate, MilestoneKind? NextKeyKind, bool NoticeReceived);

public sealed record PartnerCustomer(long AccountId, string Name, string TimeZoneId, IReadOnlyList<PartnerSubscription> Subscriptions);

/// <summary>A notice filed for one of the partner's customers and where its written acknowledgement is.</summary>
/// <param name="Acknowledgement">The acknowledgement message's state; null when none was written.</param>
public sealed record PartnerNotice(NoticeView Notice, long AccountId, string Account, OutboxStatus? Acknowledgement, Instant? AcknowledgedAt);

/// <summary>
/// The partner portal: the partner's customers (accounts it sold to), their deadlines under
/// its contract, and the notices filed for them. Another partner's customer, or a direct one,
/// answers "unknown", as if it did not exist.
/// </summary>
public sealed class PartnerPortalService(RenewalsDbContext db, IClock clock, Invoicing.Seller seller)
{
    public async Task<IReadOnlyList<PartnerCustomer>> CustomersAsync(Actor.Partner partner, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(partner);
        var accounts = await db.Accounts.AsNoTracking().VisibleTo(partner).OrderBy(a => a.Name).ThenBy(a => a.Id)
            .Select(a => new AccountRow(a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder, null)).ToListAsync(ct);
        return await WithFactsAsync(partner, accounts, all: true, ct);
    }

    /// <summary>One page of the partner's customers, by name then id (keyset paging, as the advisor's book); facts for the page's customers only.</summary>
    public async Task<Paged<PartnerCustomer>> CustomersPageAsync(Actor.Partner partner, PageAt at, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(partner);
        ArgumentNullException.ThrowIfNull(at);
        var (rows, skipped, total) = await AccountPages.ReadAsync(db.Accounts.VisibleTo(partner), at, ct);
        return Paged.Of(await WithFactsAsync(partner, rows, all: false, ct), skipped, total, c => c.AccountId);
    }

    /// <summary>One customer of the partner's; null when it is not one.</summary>
    public async Task<PartnerCustomer?> CustomerAsync(Actor.Partner partner, long accountId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(partner);
        var accounts = await db.Accounts.AsNoTracking().VisibleTo(partner).Where(a => a.Id == accountId)
            .Select(a => new AccountRow(a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder, null)).ToListAsync(ct);
        return (await WithFactsAsync(partner, accounts, all: false, ct)).SingleOrDefault();
    }

    private async Task<IReadOnlyList<PartnerCustomer>> WithFactsAsync(Actor.Partner partner, List<AccountRow> accounts, bool all, CancellationToken ct)
    {
        if (accounts.Count == 0)
        {
            return [];
        }

        IReadOnlyCollection<long>? only = all ? null : [.. accounts.Select(a => a.Id)];
        var subscriptions = db.Subscriptions.AsNoTracking().OfAccountsVisibleTo(db.Accounts, partner, s => s.AccountId).Where(s => s.PartnerContractId != null);
        if (only is not null)
        {
            subscriptions = subscriptions.Where(s => only.Contains(s.AccountId));
        }

        var contracts = await subscriptions
            .Select(s => new { s.Id, s.PartnerContract!.NoticeDays, s.PartnerContract.CancellationFiledByPartnerOnly })
            .ToDictionaryAsync(s => s.Id, ct);
        var facts = (await BookFacts.ReadAsync(db, clock, partner, only, seller, ct)).ToLookup(f => f.AccountId);
        return [.. accounts.Select(a => new PartnerCustomer(a.Id, a.Name, a.TimeZoneId, [.. facts[a.Id].Select(f =>
        {
            var contract = contracts.GetValueOrDefault(f.SubscriptionId);
            return new PartnerSubscription(f.SubscriptionId, f.Status, f.TermNumber, f.RenewalDate, f.EndsOn, f.CancellationDeadline,
                contract?.NoticeDays, contract?.CancellationFiledByPartnerOnly ?? false, f.NextKeyDate, f.NextKeyKind, f.Risks.NoticeReceived);
        })]))];
    }

    /// <summary>The same deadline and on-time preview the customer sees, for a subscription of one of the partner's customers; null otherwise.</summary>
    public Task<Portal.PortalCancellation?> DescribeAsync(Actor.Partner partner, long subscriptionId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(partner);
        return Portal.PortalCancellationService.DescribeAsync(db, clock, db.Subscriptions.OfAccountsVisibleTo(db.Accounts, partner, s => s.AccountId), subscriptionId, ct);
    }

    /// <summary>Every notice filed for the partner's customers, with its acknowledgement, oldest first.</summary>
    public async Task<IReadOnlyList<PartnerNotice>> NoticesAsync(Actor.Partner partner, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(partner);
        var rows = await db.CancellationNotices.AsNoTracking()
            .Join(db.Subscriptions, n => n.SubscriptionId, s => s.Id, (n, s) => new { Notice = n, s.AccountId })
            .Join(db.Accounts.VisibleTo(partner), x => x.AccountId, a => a.Id, (x, a) => new { x.Notice, Account = a })
            .OrderBy(x => x.Notice.Id)
            .Select(x => new { x.Notice, x.Account.Id, x.Account.Name, x.Account.TimeZoneId })
            .ToListAsync(ct);
        var subscriptionIds = rows.Select(r => r.Notice.SubscriptionId).Distinct().ToList();
        var acknowledgements = await db.Outbox.AsNoTracking()
            .Where(m => m.Template == MessageKinds.CancellationAcknowledgement && m.SubscriptionId != null && subscriptionIds.Contains(m.SubscriptionId.Value))
            .Select(m => new { m.MessageId, m.Status, m.SentAt }).ToListAsync(ct);
        return [.. rows.Select(r =>
        {
            // CancellationService names the acknowledgement after its notice: <notice{id}.cancellation-acknowledgement.c{contact}@renewals>.
            var ack = acknowledgements.FirstOrDefault(m => m.MessageId.StartsWith($"<notice{r.Notice.Id}.", StringComparison.Ordinal));
            return new PartnerNotice(SubscriptionQueries.ToView(r.Notice, DateTimeZoneProviders.Tzdb[r.TimeZoneId]), r.Id, r.Name, ack?.Status, ack?.SentAt);
        })];
    }

    /// <summary>
    /// Files a written notice for a customer of the partner's, filed by the partner. The
    /// subscription must be one of its customers' (else "unknown subscription"); the
    /// cancellation rules (contract, dates, state) are CancellationService's.
    /// </summary>
    public async Task<NoticeView> FileNoticeAsync(
        Actor.Partner partner, long subscriptionId, Instant receivedAt, NoticeChannel channel, string signedBy, string documentSha256,
        string? letterFile = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(partner);
        if (!await db.Subscriptions.OfAccountsVisibleTo(db.Accounts, partner, s => s.AccountId).AnyAsync(s => s.Id == subscriptionId, ct))
        {
            throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);
        }

        var notice = new WrittenNotice(receivedAt, channel, signedBy, documentSha256, NoticeFiler.Partner);
        return await new CancellationService(db, clock).FileAsync(subscriptionId, notice, partner.AuditName, letterFile, ct);
    }
}
