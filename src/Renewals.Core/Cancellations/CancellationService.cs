using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Messaging;
using Renewals.Core.Planning;
using Renewals.Core.Subscriptions;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Cancellations;

/// <summary>
/// Files and withdraws written cancellation notices. The domain decides whether a notice is
/// on time and when it takes effect; this checks it against the clock and the subscription's
/// state, stores it, audits it and acknowledges it (or its withdrawal) in writing.
/// </summary>
public sealed class CancellationService(RenewalsDbContext db, IClock clock)
{
    /// <summary>
    /// Files a notice. Refused, with the reason: a filer the partner contract does not allow,
    /// a date before day 1, after today (customer's local date) or before the current term
    /// began, or a subscription already ending or ended.
    /// </summary>
    /// <param name="letterFile">The stored scan of the letter (its name in the letters folder), if any.</param>
    public async Task<NoticeView> FileAsync(long subscriptionId, WrittenNotice notice, string actor, string? letterFile = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var (row, subscription, policy, account) = await LoadAsync(subscriptionId, ct);
        var cancellation = Cancellation.File(subscription, policy, notice);

        var now = clock.GetCurrentInstant();
        var today = now.InZone(subscription.TimeZone).Date;
        var received = subscription.LocalDateOf(notice.ReceivedAt);
        if (received > today)
        {
            throw new DomainException(DomainErrors.NoticeInFuture, received, today, account.TimeZoneId);
        }

        var currentTerm = await db.Terms.AsNoTracking().Where(t => t.SubscriptionId == subscriptionId && t.Number == row.CurrentTermNumber)
            .Select(t => (LocalDate?)t.Start).SingleOrDefaultAsync(ct);
        if (currentTerm is { } termStart && received < termStart)
        {
            throw new DomainException(DomainErrors.NoticeBeforeCurrentTerm, received, termStart);
        }

        var pending = await db.CancellationNotices.AsNoTracking()
            .Where(n => n.SubscriptionId == subscriptionId && n.WithdrawnAt == null)
            .Select(n => (LocalDate?)n.EffectiveEndDate).OrderBy(d => d).FirstOrDefaultAsync(ct);
        if (row.Status == SubscriptionStatus.Ending || pending is not null)
        {
            throw new DomainException(DomainErrors.SubscriptionAlreadyEnding, row.EndsOn ?? pending!.Value);
        }

        var stored = new CancellationNotice
        {
            SubscriptionId = subscriptionId,
            ReceivedAt = notice.ReceivedAt,
            Channel = notice.Channel,
            FiledBy = notice.FiledBy,
            SignedBy = notice.SignedBy,
            DocumentSha256 = notice.DocumentSha256,
            LetterFile = letterFile,
            ReceivedInTerm = cancellation.ReceivedInTerm.Number,
            IsOnTime = cancellation.IsOnTime,
            EffectiveEndDate = cancellation.EffectiveEndDate,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.CancellationNotices.Add(stored);
        await db.SaveChangesAsync(ct);

        Message(account, subscriptionId, MessageKinds.CancellationAcknowledgement, $"notice{stored.Id}", new
        {
            on_time = cancellation.IsOnTime,
            received_on = Iso(received),
            deadline = Iso(cancellation.Deadline),
            effective_end_date = Iso(cancellation.EffectiveEndDate),
            // Who sent the letter: the acknowledgement names a partner that filed it, not the customer.
            filed_by = notice.FiledBy.ToString().ToLowerInvariant(),
            // The fingerprint of the letter kept: the customer can check it is the one they sent.
            document_sha256 = notice.DocumentSha256,
        });
        db.Audit.Add(new AuditEntry
        {
            At = now,
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
            // Keyed on the notice: one withdrawn and filed again the same day is a second event.
            await WebhookOutbox.AddAsync(db, now, ct, new WebhookEvent(WebhookEventTypes.SubscriptionEnding, $"s{subscriptionId}.notice{stored.Id}",
                new { subscription_id = subscriptionId, account_id = account.Id, ends_on = Iso(cancellation.EffectiveEndDate) }));
        }

        await WebhookOutbox.AddAsync(db, now, ct, new WebhookEvent(WebhookEventTypes.NoticeReceived, $"notice{stored.Id}", new
        {
            notice_id = stored.Id,
            subscription_id = subscriptionId,
            account_id = account.Id,
            received_on = Iso(received),
            on_time = cancellation.IsOnTime,
            deadline = Iso(cancellation.Deadline),
            effective_end_date = Iso(cancellation.EffectiveEndDate),
            filed_by = notice.FiledBy.ToString().ToLowerInvariant(),
        }));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return SubscriptionQueries.ToView(stored, subscription.TimeZone);
    }

    /// <summary>Withdraws a notice before it takes effect and confirms it to the customer, in one transaction.</summary>
    public async Task<NoticeView> WithdrawAsync(long noticeId, string actor, CancellationToken ct = default)
    {
        var stored = await db.CancellationNotices.SingleOrDefaultAsync(n => n.Id == noticeId, ct)
            ?? throw new DomainException(DomainErrors.NoticeUnknown, noticeId);
        if (stored.WithdrawnAt is not null)
        {
            throw new DomainException(DomainErrors.AlreadyWithdrawn);
        }

        var (row, subscription, policy, account) = await LoadAsync(stored.SubscriptionId, ct);
        var notice = new WrittenNotice(stored.ReceivedAt, stored.Channel, stored.SignedBy, stored.DocumentSha256, stored.FiledBy);
        var now = clock.GetCurrentInstant();
        var withdrawn = Cancellation.File(subscription, policy, notice).Withdraw(now);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        stored.WithdrawnAt = withdrawn.WithdrawnAt;
        if (row.Status == SubscriptionStatus.Ending && row.EndsOn == stored.EffectiveEndDate)
        {
            row.Status = SubscriptionStatus.Active;
            row.EndsOn = null;
        }

        // Without the notice the subscription renews at the end of the term it is in today.
        var today = now.InZone(subscription.TimeZone).Date;
        Message(account, stored.SubscriptionId, MessageKinds.CancellationWithdrawn, $"notice{stored.Id}", new
        {
            received_on = Iso(subscription.LocalDateOf(stored.ReceivedAt)),
            withdrawn_on = Iso(today),
            cancelled_end_date = Iso(stored.EffectiveEndDate),
            renewal_date = Iso(subscription.TermContaining(today).End),
        });
        db.Audit.Add(new AuditEntry
        {
            At = now,
            Actor = actor,
            Action = "cancellation.withdrawn",
            Entity = "subscription",
            EntityId = stored.SubscriptionId,
            Details = $"notice {stored.Id}",
        });
        await WebhookOutbox.AddAsync(db, now, ct, new WebhookEvent(WebhookEventTypes.NoticeWithdrawn, $"notice{stored.Id}", new
        {
            notice_id = stored.Id,
            subscription_id = stored.SubscriptionId,
            account_id = account.Id,
            withdrawn_on = Iso(today),
            cancelled_end_date = Iso(stored.EffectiveEndDate),
        }));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return SubscriptionQueries.ToView(stored, subscription.TimeZone);
    }

    /// <summary>Every notice, or those of one subscription, oldest first.</summary>
    public async Task<IReadOnlyList<NoticeView>> ListAsync(long? subscriptionId = null, CancellationToken ct = default)
    {
        var rows = await db.CancellationNotices.AsNoTracking()
            .Where(n => subscriptionId == null || n.SubscriptionId == subscriptionId)
            .Join(db.Subscriptions, n => n.SubscriptionId, s => s.Id, (n, s) => new { Notice = n, s.Account!.TimeZoneId })
            .OrderBy(x => x.Notice.Id)
            .ToListAsync(ct);
        return [.. rows.Select(x => SubscriptionQueries.ToView(x.Notice, DateTimeZoneProviders.Tzdb[x.TimeZoneId]))];
    }

    private void Message(Account account, long subscriptionId, string kind, string source, object payload)
    {
        var primary = account.Contacts.FirstOrDefault(c => c.Role == ContactRole.Primary) ?? account.Contacts[0];
        db.Outbox.Add(new OutboxMessage
        {
            Template = kind,
            AccountId = account.Id,
            ContactId = primary.Id,
            ToEmail = primary.Email,
            Language = primary.Language,
            SubscriptionId = subscriptionId,
            Payload = JsonSerializer.Serialize(payload),
            MessageId = $"<{source}.{kind}.c{primary.Id}@renewals>",
            CreatedAt = clock.GetCurrentInstant(),
            NextAttemptAt = clock.GetCurrentInstant(),
        });
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
            DomainMapping.ToDomain(row.PartnerContract, row.PartnerContract?.Partner?.Name ?? ""), row.IsFirstInProductFamily, row.RenewalLengths);
        return (row, subscription, DomainMapping.ToDomain(row.Policy!), account);
    }

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
