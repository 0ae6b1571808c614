using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Messaging;

/// <summary>What an operator does with the outbox: look at it, and retry what was dead-lettered.</summary>
public sealed class OutboxAdmin(RenewalsDatabase database, IClock clock)
{
    public async Task<IReadOnlyList<OutboxMessage>> ListAsync(OutboxStatus? status, int limit, CancellationToken ct = default)
    {
        await using var db = database.CreateContext();
        var query = db.Outbox.AsNoTracking();
        if (status is { } wanted)
        {
            query = query.Where(m => m.Status == wanted);
        }

        return await query.OrderByDescending(m => m.Id).Take(limit).ToListAsync(ct);
    }

    /// <summary>
    /// Puts dead-lettered messages back in line, with a fresh count of attempts and the same
    /// Message-ID. <paramref name="ids"/> empty means every dead-lettered message. Returns the
    /// ids put back; an id that is not dead-lettered is refused and nothing changes.
    /// </summary>
    public async Task<IReadOnlyList<long>> RetryAsync(IReadOnlyCollection<long> ids, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var query = db.Outbox.Where(m => m.Status == OutboxStatus.DeadLettered);
        if (ids.Count > 0)
        {
            query = query.Where(m => ids.Contains(m.Id));
        }

        var messages = await query.ToListAsync(ct);
        var missing = ids.Except(messages.Select(m => m.Id)).Order().ToList();
        if (missing.Count > 0)
        {
            throw new NotDeadLetteredException(missing);
        }

        var now = clock.GetCurrentInstant();
        foreach (var message in messages)
        {
            message.Status = OutboxStatus.Pending;
            message.Attempts = 0;
            message.NextAttemptAt = now;
            db.Audit.Add(new AuditEntry { At = now, Actor = actor, Action = "message.retry", Entity = "outbox", EntityId = message.Id, Details = message.LastError });
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return messages.Select(m => m.Id).Order().ToList();
    }
}

/// <summary>Some of the messages asked for do not exist or are not dead-lettered.</summary>
public sealed class NotDeadLetteredException(IReadOnlyList<long> ids)
    : Exception($"Not dead-lettered (or unknown): {string.Join(", ", ids)}")
{
    public IReadOnlyList<long> Ids { get; } = ids;
}
