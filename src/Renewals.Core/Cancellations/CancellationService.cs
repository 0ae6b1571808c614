using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Cancellations;

/// <summary>
/// Files and withdraws written cancellation notices. The domain decides whether a notice is
/// on time and when it takes effect; this stores it, audits it and acknowledges it in writing.
/// </summary>
public sealed class CancellationService(RenewalsDbContext db, IClock clock)
{
    public async Task<CancellationNotice> FileAsync(long subscriptionId, WrittenNotice notice, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var (row, subscription, policy, account) = await LoadAsync(subscriptionId, ct);
        var cancellation = Cancellation.File(subscription, policy, notice);

        var stored = new CancellationNotice
        {
            SubscriptionId = subscriptionId,
            ReceivedAt = notice.ReceivedAt,
            Channel = notice.Channel,
            FiledBy = notice.FiledBy,
            SignedBy = notice.SignedBy,
            DocumentSha256 = notice.DocumentSha256,
            ReceivedInTerm = cancellation.ReceivedInTerm.Number,
            IsOnTime = cancellation.IsOnTime,
            EffectiveEndDate = cancellation.EffectiveEndDate,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.CancellationNotices.Add(stored);
        await db.SaveChangesAsync(ct);

        var primary = account.Contacts.FirstOrDefault(c => c.Role == ContactRole.Primary) ?? account.Contacts[0];
        db.Outbox.Add(new OutboxMessage
        {
            Template = "cancellation-acknowledgement",
            AccountId = account.Id,
            ContactId = primary.Id,
            ToEmail = primary.Email,
            Language = primary.Language,
            SubscriptionId = subscriptionId,
            Payload = JsonSerializer.Serialize(new
            {
                on_time = cancellation.IsOnTime,
                received_on = Iso(subscription.LocalDateOf(notice.ReceivedAt)),
                deadline = Iso(cancellation.Deadline),
                effective_end_date = Iso(cancellation.EffectiveEndDate),
            }),
            MessageId = $"<notice{stored.Id}.cancellation-acknowledgement.c{primary.Id}@renewals>",
            CreatedAt = clock.GetCurrentInstant(),
            NextAttemptAt = clock.GetCurrentInstant(),
        });
        db.Audit.Add(new AuditEntry
        {
            At = clock.GetCurrentInstant(),
            Actor = actor,
            Action = cancellation.IsOnTime ? "cancellation.filed-on-time" : "cancellation.filed-late",
            Entity = "subscription",
            EntityId = subscriptionId,
            Details = $"notice {stored.Id}, ends {Iso(cancellation.EffectiveEndDate)}",
        });
        if (row.Status == SubscriptionStatus.Active && cancellation.IsOnTime
            && await db.Terms.AnyAsync(t => t.SubscriptionId == subscriptionId && t.Number == cancellation.ReceivedInTerm.Number && t.IsLocked, ct))
        {
            // Received on the deadline day after the engine already locked the term.
            row.Status = SubscriptionStatus.Ending;
            row.EndsOn = cancellation.EffectiveEndDate;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return stored;
    }

    public async Task<CancellationNotice> WithdrawAsync(long noticeId, string actor, CancellationToken ct = default)
    {
        var stored = await db.CancellationNotices.SingleOrDefaultAsync(n => n.Id == noticeId, ct)
            ?? throw new DomainException(DomainErrors.WithdrawalBeforeNotice);
        if (stored.WithdrawnAt is not null)
        {
            throw new DomainException(DomainErrors.AlreadyWithdrawn);
        }

        var (row, subscription, policy, _) = await LoadAsync(stored.SubscriptionId, ct);
        var notice = new WrittenNotice(stored.ReceivedAt, stored.Channel, stored.SignedBy, stored.DocumentSha256, stored.FiledBy);
        var withdrawn = Cancellation.File(subscription, policy, notice).Withdraw(clock.GetCurrentInstant());

        stored.WithdrawnAt = withdrawn.WithdrawnAt;
        if (row.Status == SubscriptionStatus.Ending && row.EndsOn == stored.EffectiveEndDate)
        {
            row.Status = SubscriptionStatus.Active;
            row.EndsOn = null;
        }

        db.Audit.Add(new AuditEntry
        {
            At = clock.GetCurrentInstant(),
            Actor = actor,
            Action = "cancellation.withdrawn",
            Entity = "subscription",
            EntityId = stored.SubscriptionId,
            Details = $"notice {stored.Id}",
        });
        await db.SaveChangesAsync(ct);
        return stored;
    }

    private async Task<(Subscription Row, Domain.Subscriptions.Subscription Subscription, Domain.Policies.RenewalPolicy Policy, Account Account)> LoadAsync(
        long subscriptionId, CancellationToken ct)
    {
        var row = await db.Subscriptions
            .Include(s => s.Account!).ThenInclude(a => a.Contacts)
            .Include(s => s.Policy)
            .Include(s => s.PartnerContract!).ThenInclude(c => c.Partner)
            .SingleOrDefaultAsync(s => s.Id == subscriptionId, ct)
            ?? throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);
        if (row.Status == SubscriptionStatus.Ended)
        {
            throw new DomainException(DomainErrors.SubscriptionAlreadyEnded, row.EndsOn!);
        }

        var account = row.Account!;
        var zone = DateTimeZoneProviders.Tzdb[account.TimeZoneId];
        var subscription = DomainMapping.ToDomain(account.Name, row.Start, row.InitialTermYears, zone, row.Billing,
            DomainMapping.ToDomain(row.PartnerContract, row.PartnerContract?.Partner?.Name ?? ""), row.IsFirstInProductFamily);
        return (row, subscription, DomainMapping.ToDomain(row.Policy!), account);
    }

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
