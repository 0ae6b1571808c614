using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Cancellations;
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
    /// <param name="receivedOn">The day the letter arrived, in the customer's time zone.</param>
    /// <param name="scanFile">The uploaded scan; kept in the letters folder under its SHA-256, taken back if the notice is refused.</param>
    public async Task<NoticeView> FileAsync(Actor actor, long subscriptionId, LocalDate receivedOn, string signedBy, string scanFile, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var zoneId = await db.Subscriptions.AsNoTracking()
            .Where(s => s.Id == subscriptionId)
            .Join(db.Accounts.VisibleTo(actor), s => s.AccountId, a => a.Id, (s, a) => a.TimeZoneId)
            .SingleOrDefaultAsync(ct)
            ?? throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);
        var stored = await letters.StoreAsync(scanFile, ct);
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
