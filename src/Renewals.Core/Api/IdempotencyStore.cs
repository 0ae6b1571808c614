using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Api;

/// <summary>The answer stored for a caller's Idempotency-Key; <see cref="StatusCode"/> 0 while the first request is still being worked on.</summary>
public sealed record StoredAnswer(string RequestHash, int StatusCode, string? ContentType, string? Location, byte[] Body)
{
    public bool InFlight => StatusCode == 0;
}

/// <summary>
/// Keeps the first answer to each POST sent with an Idempotency-Key, per caller, for a day:
/// long enough for any retry, short enough that the table stays small. The key is reserved
/// before the work starts (the unique index on caller and key decides between two concurrent
/// firsts), so a request is carried out once however many copies arrive together.
/// </summary>
public sealed class IdempotencyStore(RenewalsDbContext db, IClock clock)
{
    public static readonly Duration Lifetime = Duration.FromHours(24);

    /// <summary>
    /// Reserves the key for this request: null when it is now this request's to carry out;
    /// otherwise what is stored under it (an answer to replay, another request, or one in flight).
    /// </summary>
    public async Task<StoredAnswer?> ReserveAsync(string caller, string key, string requestHash, CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        // Expired keys may be used again, for anything.
        await db.IdempotencyRecords.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        if (await FindAsync(caller, key, ct) is { } stored)
        {
            return stored;
        }

        var row = new IdempotencyRecord { Caller = caller, Key = key, RequestHash = requestHash, Body = [], CreatedAt = now, ExpiresAt = now + Lifetime };
        db.IdempotencyRecords.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException)
        {
            // Another copy reserved it between the look-up and the insert.
            db.Entry(row).State = EntityState.Detached;
            return await FindAsync(caller, key, ct) ?? new StoredAnswer(requestHash, 0, null, null, []);
        }
    }

    /// <summary>Stores the answer of the request that reserved the key.</summary>
    public async Task CompleteAsync(string caller, string key, StoredAnswer answer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        await db.IdempotencyRecords.Where(r => r.Caller == caller && r.Key == key).ExecuteUpdateAsync(r => r
            .SetProperty(x => x.StatusCode, answer.StatusCode)
            .SetProperty(x => x.ContentType, answer.ContentType)
            .SetProperty(x => x.Location, answer.Location)
            .SetProperty(x => x.Body, answer.Body), ct);
    }

    /// <summary>Frees the key after a failure of ours: a retry under it is carried out afresh.</summary>
    public Task ReleaseAsync(string caller, string key, CancellationToken ct = default) =>
        db.IdempotencyRecords.Where(r => r.Caller == caller && r.Key == key && r.StatusCode == 0).ExecuteDeleteAsync(ct);

    private Task<StoredAnswer?> FindAsync(string caller, string key, CancellationToken ct) =>
        db.IdempotencyRecords.AsNoTracking()
            .Where(r => r.Caller == caller && r.Key == key)
            .Select(r => new StoredAnswer(r.RequestHash, r.StatusCode, r.ContentType, r.Location, r.Body))
            .SingleOrDefaultAsync(ct);
}
