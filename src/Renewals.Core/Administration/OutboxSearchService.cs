using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Administration;

/// <summary>What to look for in the outbox; <paramref name="Recipient"/> matches part of the address, in any case.</summary>
public sealed record OutboxQuery(
    OutboxStatus? Status = null, string? Template = null, string? Recipient = null, long? AccountId = null, int Page = 1, int PageSize = 50);

/// <summary>A message of the outbox; a dead letter carries the error that stopped it in <see cref="LastError"/>.</summary>
public sealed record OutboxLine(
    long Id, string Template, long? AccountId, string? Account, string ToEmail, string Language, long? SubscriptionId, OutboxStatus Status,
    int Attempts, Instant CreatedAt, Instant NextAttemptAt, Instant? SentAt, string? LastError);

/// <summary>The outbox for administrators: search it, and put dead letters back in line (through OutboxAdmin).</summary>
public sealed class OutboxSearchService(RenewalsDbContext db, OutboxAdmin outbox)
{
    public async Task<Paged<OutboxLine>> SearchAsync(Actor actor, OutboxQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(query);
        actor.RequireAdministrator();
        var page = Math.Max(1, query.Page);
        var size = Math.Clamp(query.PageSize, 1, AuditTrailService.MaxPageSize);
        var rows = db.Outbox.AsNoTracking();
        if (query.Status is { } status)
        {
            rows = rows.Where(m => m.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(query.Template))
        {
            var template = query.Template.Trim();
            rows = rows.Where(m => m.Template == template);
        }

        if (!string.IsNullOrWhiteSpace(query.Recipient))
        {
            var recipient = query.Recipient.Trim().ToLowerInvariant();
            // Runs in SQL as lower(...) LIKE, the same on SQLite and PostgreSQL; the culture rules below are .NET's, not used here.
#pragma warning disable CA1304, CA1311, CA1862
            rows = rows.Where(m => m.ToEmail.ToLower().Contains(recipient));
#pragma warning restore CA1304, CA1311, CA1862
        }

        if (query.AccountId is { } accountId)
        {
            rows = rows.Where(m => m.AccountId == accountId);
        }

        var total = await rows.CountAsync(ct);
        var items = await rows.OrderByDescending(m => m.Id).Skip((page - 1) * size).Take(size)
            .GroupJoin(db.Accounts, m => m.AccountId, a => (long?)a.Id, (m, accounts) => new { m, accounts })
            .SelectMany(x => x.accounts.DefaultIfEmpty(), (x, a) => new { x.m, Account = a == null ? null : a.Name })
            // A callback acknowledgement to someone no contact matches has no account.
            .Select(x => new OutboxLine(
                x.m.Id, x.m.Template, x.m.AccountId, x.Account, x.m.ToEmail, x.m.Language, x.m.SubscriptionId, x.m.Status, x.m.Attempts, x.m.CreatedAt, x.m.NextAttemptAt,
                x.m.SentAt, x.m.LastError))
            .ToListAsync(ct);
        return new Paged<OutboxLine>([.. items.OrderByDescending(m => m.Id)], page, size, total);
    }

    /// <summary>Retries dead letters (all of them when <paramref name="ids"/> is empty); see <see cref="OutboxAdmin.RetryAsync"/>.</summary>
    public Task<IReadOnlyList<long>> RetryAsync(Actor actor, IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        return outbox.RetryAsync(ids, actor.AuditName, ct);
    }
}
