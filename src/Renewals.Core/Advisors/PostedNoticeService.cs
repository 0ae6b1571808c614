using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Cancellations;
using Renewals.Core.Portal;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Advisors;

/// <summary>
/// An advisor files a customer's letter received by post, with its scan: the same checks and
/// acknowledgement as the customer's own notice (CancellationService), on a subscription of
/// the advisor's book only.
/// </summary>
public sealed class PostedNoticeService(RenewalsDbContext db, IClock clock, LetterStore letters)
{
    /// <summary>
    /// The same deadline and on-time preview the customer sees, for a subscription of the
    /// actor's book; null when it is not one (or it has ended).
    /// </summary>
    public Task<PortalCancellation?> DescribeAsync(Actor actor, long subscriptionId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var visible = db.Subscriptions.OfAccountsVisibleTo(db.Accounts, actor, s => s.AccountId);
        return PortalCancellationService.DescribeAsync(db, clock, visible, subscriptionId, ct);
    }

    /// <summary>
    /// Files a posted letter from its uploaded scan, checked by its content like the customer's
    /// own upload (a PDF, not empty, 10 MB at most) before anything is stored.
    /// </summary>
    /// <exception cref="LetterRefusedException">Not a PDF, empty or too large; nothing stored.</exception>
    public async Task<NoticeView> FileAsync(Actor actor, long subscriptionId, LocalDate receivedOn, string signedBy, Stream scan, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var zoneId = await ZoneAsync(actor, subscriptionId, ct);
        var bytes = await PortalCancellationService.CheckLetterAsync(scan, ct);
        var stored = await letters.StoreAsync(bytes, ".pdf", ct);
        return await FileStoredAsync(actor, subscriptionId, receivedOn, signedBy, zoneId, stored, ct);
    }

    /// <param name="receivedOn">The day the letter arrived, in the customer's time zone.</param>
    /// <param name="scanFile">The uploaded scan; kept in the letters folder under its SHA-256, taken back if the notice is refused.</param>
    public async Task<NoticeView> FileAsync(Actor actor, long subscriptionId, LocalDate receivedOn, string signedBy, string scanFile, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var zoneId = await ZoneAsync(actor, subscriptionId, ct);
        var stored = await letters.StoreAsync(scanFile, ct);
        return await FileStoredAsync(actor, subscriptionId, receivedOn, signedBy, zoneId, stored, ct);
    }

    private async Task<string> ZoneAsync(Actor actor, long subscriptionId, CancellationToken ct) =>
        await db.Subscriptions.AsNoTracking()
            .Where(s => s.Id == subscriptionId)
            .Join(db.Accounts.VisibleTo(actor), s => s.AccountId, a => a.Id, (s, a) => a.TimeZoneId)
            .SingleOrDefaultAsync(ct)
            ?? throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);

    private async Task<NoticeView> FileStoredAsync(
        Actor actor, long subscriptionId, LocalDate receivedOn, string signedBy, string zoneId, StoredLetter stored, CancellationToken ct)
    {
        try
        {
            var receivedAt = receivedOn.AtStartOfDayInZone(DateTimeZoneProviders.Tzdb[zoneId]).ToInstant();
            var notice = new WrittenNotice(receivedAt, NoticeChannel.PostalLetter, signedBy, stored.Sha256, NoticeFiler.Customer);
            return await new CancellationService(db, clock).FileAsync(subscriptionId, notice, actor.AuditName, stored.FileName, ct);
        }
        catch
        {
            LetterStore.Forget(stored);
            throw;
        }
    }
}
