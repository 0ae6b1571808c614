using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Engine;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Messaging;

/// <summary>What one dispatch did.</summary>
public sealed record DispatchResult(int Sent, int Retrying, int DeadLettered, int Discarded = 0)
{
    /// <summary>Two passes' counts together; what still waits is the later pass's.</summary>
    public DispatchResult Then(DispatchResult later) =>
        new(Sent + later.Sent, later.Retrying, DeadLettered + later.DeadLettered, Discarded + later.Discarded);
}

/// <summary>
/// Delivers the outbox: at least once, with the Message-ID written when the message was
/// created, so a receiver can drop a second copy. A failure of any kind (a missing contact,
/// a template error, a payload that does not parse, the server refusing) is recorded on that
/// message alone and waits an exponentially growing delay; after the last attempt, or at once
/// when the server refuses the message for good (5xx), the message is dead-lettered, stays
/// visible, and an operator can retry it.
/// Each message is claimed, sent and recorded in its own transaction, so that what is
/// recorded as sent is never rolled back by a later message's failure (which would send it
/// again at the next pass). Within a dispatcher, <see cref="DeliveryOptions.DeliveryWorkers"/>
/// messages of a claimed batch are delivered at the same time, each with its own context and
/// transaction and its own connection of the transport. On PostgreSQL several dispatchers share
/// the work: each holds its batch with a transaction-level advisory lock on every message id
/// (<c>pg_try_advisory_xact_lock(id)</c>, in a transaction of the connection that listed the
/// batch, ended when the batch is done or that connection dies), so another dispatcher's listing
/// skips those messages instead of reading them and losing the claim; the row itself is still
/// locked FOR UPDATE SKIP LOCKED while it is sent, which is what makes a delivery happen once. On
/// SQLite one dispatcher works at a time. What a batch's messages are about (contacts, accounts, lines,
/// invoices, stored templates) is read once for the batch (<see cref="MessageBatch"/>); the
/// claim, the purpose check and the record stay per message.
/// What was sent is kept as sent (<see cref="SentCopies"/>), saved with the status.
/// A pass's instant is only its cut-off (what is due); each delivery is stamped with
/// the clock's reading when it is attempted (its Date header, SentAt, audit and
/// retry count from it), since a pass with a backlog lasts minutes. The clock is required: a pass
/// at a fixed simulated instant (tests, the bench, <c>renewals run --as-of</c>) hands in a clock
/// standing at that instant rather than leaving the stamps to the cut-off.
/// </summary>
public sealed class OutboxDispatcher(RenewalsDatabase database, MessageComposer composer, IMailTransport transport, Invoicing.Seller seller, IClock clock)
{
    private DeliveryOptions Options => composer.Options;

    /// <summary>
    /// Sends every message due at <paramref name="dueBy"/>; each is tried at most once in this
    /// call, and on PostgreSQL not at all when another dispatcher holds it in its batch.
    /// </summary>
    public async Task<DispatchResult> DispatchAsync(Instant dueBy, CancellationToken ct = default)
    {
        using var workerLock = EngineLock.Acquire(database, "dispatcher");
        // How many messages of the pass ended in each state, indexed by OutboxStatus.
        var ended = new int[Enum.GetValues<OutboxStatus>().Length];
        // Walking the ids upwards tries each message at most once in a pass, even one whose
        // failure could not be recorded (it stays due, and must not be tried in a loop).
        var after = 0L;
        while (true)
        {
            // The listing's connection stays open while the batch is delivered: on PostgreSQL its
            // transaction holds the batch.
            await using var db = database.CreateContext();
            await db.Database.OpenConnectionAsync(ct);
            var due = await db.Outbox.AsNoTracking()
                .Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= dueBy && m.Id > after)
                .OrderBy(m => m.Id)
                .Take(Options.BatchSize)
                .ToListAsync(ct);
            if (due.Count == 0)
            {
                break;
            }

            // The cursor passes the whole listing, the messages another dispatcher holds included:
            // that dispatcher delivers them.
            after = due[^1].Id;
            var hold = database.Provider == DatabaseProvider.PostgreSql ? await db.Database.BeginTransactionAsync(ct) : null;
            try
            {
                if (hold is not null)
                {
                    due = await TakeUnheldAsync(db, due, ct);
                    if (due.Count == 0)
                    {
                        continue;
                    }
                }

                // What the batch's messages are about, in a few set queries rather than several a message.
                var batch = await MessageBatch.LoadAsync(db, due, ct);

                // Several messages at once, each in its own transaction over its own connection:
                // delivery waits on the server far more than it computes, so waits overlap.
                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.DeliveryWorkers), CancellationToken = ct }, async (listed, token) =>
                {
                    // Null: another dispatcher had it, or it was no longer due.
                    if (await DeliverOneAsync(listed.Id, dueBy, batch, token) is { } status)
                    {
                        Interlocked.Increment(ref ended[(int)status]);
                    }
                });
            }
            finally
            {
                if (hold is not null)
                {
                    await LetGoAsync(hold);
                }
            }
        }

        return new DispatchResult(ended[(int)OutboxStatus.Sent], ended[(int)OutboxStatus.Pending], ended[(int)OutboxStatus.DeadLettered], ended[(int)OutboxStatus.Discarded]);
    }

    /// <summary>
    /// The listed messages no other dispatcher holds, each now held by the listing's transaction
    /// (PostgreSQL, <c>pg_try_advisory_xact_lock(id)</c>). The lock is tried on the listed ids
    /// only, an array the statement cannot read past, so nothing is held that this batch will not
    /// deliver. A message whose batch ended between the listing and the lock is taken here and
    /// found sent by its claim.
    /// </summary>
    private static async Task<List<OutboxMessage>> TakeUnheldAsync(RenewalsDbContext db, List<OutboxMessage> listed, CancellationToken ct)
    {
        var ids = listed.Select(m => m.Id).ToArray();
        var taken = (await db.Database
            .SqlQuery<long>($"SELECT c.id AS \"Value\" FROM unnest({ids}) AS c(id) WHERE pg_try_advisory_xact_lock(c.id)")
            .ToListAsync(ct)).ToHashSet();
        return taken.Count == listed.Count ? listed : [.. listed.Where(m => taken.Contains(m.Id))];
    }

    /// <summary>
    /// Ends the listing's transaction, and with it the batch's locks. Not cancelled with the pass.
    /// If the connection broke, the server has ended the transaction already; an error here
    /// would hide why the batch ended.
    /// </summary>
    private static async Task LetGoAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction hold)
    {
        try
        {
            await hold.RollbackAsync(CancellationToken.None);
        }
        catch (Exception broken) when (broken is System.Data.Common.DbException or InvalidOperationException)
        {
        }
        finally
        {
            await hold.DisposeAsync();
        }
    }

    /// <summary>Claims, sends and records one message; null when another dispatcher has it or it is no longer due.</summary>
    private async Task<OutboxStatus?> DeliverOneAsync(long id, Instant dueBy, MessageBatch batch, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        // One open connection for the whole delivery: on SQLite each open runs the pragmas again,
        // and a delivery reads several times before it writes.
        await db.Database.OpenConnectionAsync(ct);
        // One SaveChanges ends the transaction, and nothing runs in it after a failed one: the
        // savepoint EF Core would set around it inside a transaction costs two round trips for nothing.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = database.Provider == DatabaseProvider.PostgreSql ? await db.Database.BeginTransactionAsync(ct) : null;
        var message = database.Provider == DatabaseProvider.PostgreSql
            ? await db.Outbox
                .FromSql($"""
                    SELECT * FROM outbox
                    WHERE id = {id} AND status = 0 AND next_attempt_at <= {dueBy}
                    FOR UPDATE SKIP LOCKED
                    """)
                .SingleOrDefaultAsync(ct)
            : await db.Outbox.SingleOrDefaultAsync(m => m.Id == id && m.Status == OutboxStatus.Pending && m.NextAttemptAt <= dueBy, ct);
        if (message is null)
        {
            return null;
        }

        // Read once the message is claimed: the instant this delivery is made, not the pass's.
        var now = clock.GetCurrentInstant();
        var status = await DeliverAsync(db, message, now, batch, ct);
        // Recorded even when the pass is being cancelled (another worker failed, the host stops):
        // a message sent and not recorded as sent would go again.
        await db.SaveChangesAsync(CancellationToken.None);
        if (transaction is not null)
        {
            await transaction.CommitAsync(CancellationToken.None);
        }

        return status;
    }

    private async Task<OutboxStatus> DeliverAsync(RenewalsDbContext db, OutboxMessage message, Instant now, MessageBatch batch, CancellationToken ct)
    {
        message.Attempts++;
        string error;
        var permanent = false;
        try
        {
            if (await MessagePurpose.OutdatedAsync(db, message, now, seller, batch, ct) is { } outdated)
            {
                // Sending it would tell the customer something no longer true: record why, send nothing.
                message.Status = OutboxStatus.Discarded;
                message.LastError = outdated;
                db.Audit.Add(new AuditEntry
                {
                    At = now,
                    Actor = "dispatcher",
                    Action = "message.discarded",
                    Entity = "outbox",
                    EntityId = message.Id,
                    Details = outdated,
                });
                return message.Status;
            }

            var mime = await composer.ComposeAsync(db, message, now, batch, ct);
            await transport.SendAsync(mime, ct);
            message.Status = OutboxStatus.Sent;
            message.SentAt = now;
            message.LastError = null;
            // Saved with the status: the copy exists exactly when the message is recorded as sent.
            db.SentMessageCopies.Add(SentCopies.Of(message.Id, mime));
            return message.Status;
        }
        catch (SmtpCommandException refused) when ((int)refused.StatusCode >= 500)
        {
            error = $"refused by the server: {(int)refused.StatusCode} {refused.Message}";
            permanent = true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (TemplateException broken)
        {
            // Nothing is sent with a broken template; the message waits for the fix.
            error = broken.Message;
        }
        catch (Exception failure)
        {
            // Whatever else goes wrong with this message (a contact deleted, a payload that
            // does not parse, a network fault) stays with this message: the others go on.
            error = $"{failure.GetType().Name}: {failure.Message}";
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
            // A retried message can die again: each death is its own event.
            await Webhooks.WebhookOutbox.AddAsync(db, now, ct, new Webhooks.WebhookEvent(Webhooks.WebhookEventTypes.MessageDeadLettered, $"outbox{message.Id}.{now.ToUnixTimeMilliseconds()}", new
            {
                message_id = message.Id,
                template = message.Template,
                account_id = message.AccountId,
                subscription_id = message.SubscriptionId,
                attempts = message.Attempts,
                error = message.LastError,
            }));
        }
        else
        {
            message.NextAttemptAt = now + Options.RetryDelay(message.Attempts);
        }

        return message.Status;
    }
}
