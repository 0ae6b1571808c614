using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Engine;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Messaging;

/// <summary>What one dispatch did.</summary>
public sealed record DispatchResult(int Sent, int Retrying, int DeadLettered);

/// <summary>
/// Delivers the outbox: at least once, with the Message-ID written when the message was
/// created, so a receiver can drop a second copy. A failure waits an exponentially growing
/// delay; after the last attempt, or at once when the server refuses the message for good
/// (5xx), the message is dead-lettered, stays visible, and an operator can retry it.
/// On PostgreSQL several dispatchers share the work (FOR UPDATE SKIP LOCKED); on SQLite one
/// works at a time.
/// </summary>
public sealed class OutboxDispatcher(RenewalsDatabase database, MessageComposer composer, IMailTransport transport)
{
    private DeliveryOptions Options => composer.Options;

    /// <summary>Sends every message due at <paramref name="now"/>; each is tried once in this call.</summary>
    public async Task<DispatchResult> DispatchAsync(Instant now, CancellationToken ct = default)
    {
        using var workerLock = EngineLock.Acquire(database, "dispatcher");
        int sent = 0, retrying = 0, dead = 0;
        while (true)
        {
            await using var db = database.CreateContext();
            // PostgreSQL: the claim's row locks last until the batch is recorded. SQLite: no
            // transaction around the sending, so the engine can write meanwhile.
            await using var transaction = database.Provider == DatabaseProvider.PostgreSql ? await db.Database.BeginTransactionAsync(ct) : null;
            var batch = await ClaimAsync(db, now, ct);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var message in batch)
            {
                switch (await DeliverAsync(db, message, now, ct))
                {
                    case OutboxStatus.Sent:
                        sent++;
                        break;
                    case OutboxStatus.DeadLettered:
                        dead++;
                        break;
                    case OutboxStatus.Pending:
                        retrying++;
                        break;
                }

                if (transaction is null)
                {
                    await db.SaveChangesAsync(ct);
                }
            }

            await db.SaveChangesAsync(ct);
            if (transaction is not null)
            {
                await transaction.CommitAsync(ct);
            }
        }

        return new DispatchResult(sent, retrying, dead);
    }

    private async Task<List<OutboxMessage>> ClaimAsync(RenewalsDbContext db, Instant now, CancellationToken ct)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            return await db.Outbox
                .FromSql($"""
                    SELECT * FROM outbox
                    WHERE status = 0 AND next_attempt_at <= {now}
                    ORDER BY next_attempt_at, id
                    LIMIT {Options.BatchSize}
                    FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(ct);
        }

        return await db.Outbox
            .Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)
            .Take(Options.BatchSize)
            .ToListAsync(ct);
    }

    private async Task<OutboxStatus> DeliverAsync(RenewalsDbContext db, OutboxMessage message, Instant now, CancellationToken ct)
    {
        message.Attempts++;
        string error;
        var permanent = false;
        try
        {
            var mime = await composer.ComposeAsync(db, message, now, ct);
            await transport.SendAsync(mime, ct);
            message.Status = OutboxStatus.Sent;
            message.SentAt = now;
            message.LastError = null;
            return message.Status;
        }
        catch (TemplateException broken)
        {
            // Nothing is sent with a broken template; the message waits for the fix.
            error = broken.Message;
        }
        catch (SmtpCommandException refused) when ((int)refused.StatusCode >= 500)
        {
            error = $"refused by the server: {(int)refused.StatusCode} {refused.Message}";
            permanent = true;
        }
        catch (Exception failure) when (failure is IOException or SmtpCommandException or SmtpProtocolException
                                            or System.Net.Sockets.SocketException or TimeoutException or MailKit.ServiceNotConnectedException
                                            or MailKit.Security.AuthenticationException or MailKit.Security.SslHandshakeException)
        {
            error = failure.Message;
        }

        message.LastError = error.Length > 2000 ? error[..2000] : error;
        if (permanent || message.Attempts >= Options.MaxAttempts)
        {
            message.Status = OutboxStatus.DeadLettered;
            db.Audit.Add(new AuditEntry
            {
                At = now,
                Actor = "dispatcher",
                Action = "message.dead-lettered",
                Entity = "outbox",
                EntityId = message.Id,
                Details = message.LastError,
            });
        }
        else
        {
            message.NextAttemptAt = now + Options.RetryDelay(message.Attempts);
        }

        return message.Status;
    }
}
