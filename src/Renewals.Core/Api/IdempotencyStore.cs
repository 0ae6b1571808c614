using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Api;

/// <summary>The answer stored for a caller's Idempotency-Key.</summary>
public sealed record StoredAnswer(string RequestHash, int StatusCode, string? ContentType, string? Location, byte[] Body);

/// <summary>
/// Keeps the first answer to each POST sent with an Idempotency-Key, per caller, for a day:
/// long enough for any retry, short enough that the table stays small.
/// </summary>
public sealed class IdempotencyStore(RenewalsDbContext db, IClock clock)
{
    public static readonly Duration Lifetime = Duration.FromHours(24);

    public async Task<StoredAnswer?> FindAsync(string caller, string key, CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        return await db.IdempotencyRecords.AsNoTracking()
            .Where(r => r.Caller == caller && r.Key == key && r.ExpiresAt > now)
            .Select(r => new StoredAnswer(r.RequestHash, r.StatusCode, r.ContentType, r.Location, r.Body))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>Stores the first answer; expired records of the same key (and of anyone) go first.</summary>
    public async Task SaveAsync(string caller, string key, StoredAnswer answer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var now = clock.GetCurrentInstant();
        await db.IdempotencyRecords.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        db.IdempotencyRecords.Add(new IdempotencyRecord
        {
            Caller = caller,
            Key = key,
            RequestHash = answer.RequestHash,
            StatusCode = answer.StatusCode,
            ContentType = answer.ContentType,
            Location = answer.Location,
            Body = answer.Body,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        });
        await db.SaveChangesAsync(ct);
    }
}
