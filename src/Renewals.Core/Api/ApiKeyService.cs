using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Api;

/// <summary>An API key as an admin sees it: never the secret, only its first characters.</summary>
public sealed record ApiKeyView(
    long Id, string Name, string Prefix, long? PartnerId, string? Partner, string CreatedBy, Instant CreatedAt, Instant? RevokedAt, Instant? LastUsedAt)
{
    public bool IsAdmin => PartnerId is null;

    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>A key just made: <see cref="Secret"/> is shown this once and stored nowhere.</summary>
public sealed record MadeApiKey(ApiKeyView Key, string Secret);

/// <summary>Who a presented key stands for: the actor the API works as, and the key (for idempotency and audit).</summary>
public sealed record ApiCaller(long KeyId, Actor Actor)
{
    public string Name => $"apikey:{KeyId}";
}

/// <summary>
/// Makes, lists, revokes and checks the keys integrators use on /api/v1. A key reaches the
/// whole system (an administrator's) or one partner's customers. Only its SHA-256 is stored.
/// </summary>
public sealed class ApiKeyService(RenewalsDbContext db, IClock clock)
{
    public const int MaxNameLength = 100;

    /// <summary>Marks a Renewals key in logs and secret scanners.</summary>
    public const string KeyPrefix = "rnw_";

    private const int PrefixLength = 12;

    /// <summary>How stale "last used" may be: a key in use is written once a minute at most.</summary>
    public static readonly Duration LastUseRecordedEvery = Duration.FromMinutes(1);

    /// <summary>Makes a key: for the whole system when <paramref name="partnerId"/> is null, else for that partner's customers.</summary>
    public async Task<MadeApiKey> MakeAsync(Actor actor, long? partnerId, string? name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var keyName = string.IsNullOrWhiteSpace(name) ? (partnerId is null ? "admin" : $"partner {partnerId}") : name.Trim();
        if (keyName.Length > MaxNameLength)
        {
            throw new DomainException(DomainErrors.ApiKeyName, MaxNameLength);
        }

        if (partnerId is { } id && !await db.Partners.AnyAsync(p => p.Id == id, ct))
        {
            throw new DomainException(DomainErrors.PartnerUnknown, id);
        }

        // 32 random bytes: guessing is out of reach, so a fast hash (no salt, no stretching) is enough to store it.
        var secret = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetCurrentInstant();
        var row = new ApiKey
        {
            Name = keyName,
            Prefix = secret[..PrefixLength],
            KeyHash = Hash(secret),
            PartnerId = partnerId,
            CreatedBy = actor.AuditName,
            CreatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(ct);
        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = actor.AuditName, Action = "apikey.made", Entity = "apikey", EntityId = row.Id,
            Details = partnerId is null ? "admin" : $"partner {partnerId}",
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new MadeApiKey((await ListAsync(actor, ct)).Single(k => k.Id == row.Id), secret);
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        return await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id)
            .GroupJoin(db.Partners, k => k.PartnerId, p => p.Id, (k, ps) => new { k, ps })
            .SelectMany(x => x.ps.DefaultIfEmpty(), (x, p) => new ApiKeyView(
                x.k.Id, x.k.Name, x.k.Prefix, x.k.PartnerId, p == null ? null : p.Name, x.k.CreatedBy, x.k.CreatedAt, x.k.RevokedAt, x.k.LastUsedAt))
            .ToListAsync(ct);
    }

    /// <summary>Revokes a key: from now on it answers 401. Revoking twice is refused, with the date of the first.</summary>
    public async Task<ApiKeyView> RevokeAsync(Actor actor, long keyId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var row = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId, ct)
            ?? throw new DomainException(DomainErrors.ApiKeyUnknown, keyId);
        if (row.RevokedAt is { } revoked)
        {
            throw new DomainException(DomainErrors.ApiKeyAlreadyRevoked, keyId, revoked.InUtc().Date);
        }

        var now = clock.GetCurrentInstant();
        row.RevokedAt = now;
        db.Audit.Add(new AuditEntry { At = now, Actor = actor.AuditName, Action = "apikey.revoked", Entity = "apikey", EntityId = row.Id });
        await db.SaveChangesAsync(ct);
        return (await ListAsync(actor, ct)).Single(k => k.Id == keyId);
    }

    /// <summary>
    /// The caller a presented key stands for, its use recorded; null for a key that is unknown,
    /// revoked or malformed (all answer the same 401, so nothing tells them apart).
    /// </summary>
    public async Task<ApiCaller?> AuthenticateAsync(string? presented, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 200)
        {
            return null;
        }

        var hash = Hash(presented);
        var row = await db.ApiKeys.SingleOrDefaultAsync(k => k.KeyHash == hash, ct);
        // The lookup finds at most the row with this hash; comparing in constant time keeps the
        // final check free of timing differences whatever the database's string comparison does.
        if (row is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(row.KeyHash), Encoding.ASCII.GetBytes(hash))
            || row.RevokedAt is not null)
        {
            return null;
        }

        // Last use to the minute: writing it on every request made every call of a key queue on that
        // one row (PostgreSQL, 64 connections: 9 ms a request; docs/performance.md, "Pages and API under load").
        var now = clock.GetCurrentInstant();
        if (row.LastUsedAt is not { } last || now - last >= LastUseRecordedEvery)
        {
            row.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }

        Actor actor = row.PartnerId is { } partnerId ? new Actor.Partner(partnerId) : new Actor.Admin($"apikey-{row.Id}");
        return new ApiCaller(row.Id, actor);
    }

    /// <summary>SHA-256 of the key's UTF-8 bytes, as 64 lowercase hex digits.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
