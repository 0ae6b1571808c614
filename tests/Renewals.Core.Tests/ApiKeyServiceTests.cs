using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Api;
using Renewals.Data;
using Renewals.Domain;

namespace Renewals.Core.Tests;

public sealed class SqliteApiKeyServiceTests() : ApiKeyServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresApiKeyServiceTests() : ApiKeyServiceTests(DatabaseProvider.PostgreSql);

/// <summary>API keys: made by an administrator, stored as their SHA-256 only, scoped, revocable, last use recorded.</summary>
public abstract class ApiKeyServiceTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly Actor Alice = new Actor.Admin("alice");

    [Fact]
    public void The_stored_hash_is_sha256_in_lowercase_hex()
    {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyService.Hash("abc"));
    }

    [Fact]
    public async Task A_key_is_shown_once_stored_hashed_and_stands_for_its_scope_with_its_last_use_recorded()
    {
        var contract = await Book.PartnerContractAsync(noticeDays: 90, filedByPartnerOnly: false, name: "Northwind");
        await using var db = Database.Context();
        var partnerId = await db.PartnerContracts.Where(c => c.Id == contract).Select(c => c.PartnerId).SingleAsync();
        var keys = new ApiKeyService(db, Clock);

        var admin = await keys.MakeAsync(Alice, null, "ERP");
        var partner = await keys.MakeAsync(Alice, partnerId, null);

        Assert.StartsWith("rnw_", admin.Secret, StringComparison.Ordinal);
        Assert.Equal(47, admin.Secret.Length); // "rnw_" and 32 random bytes in unpadded base64url (43 characters)
        Assert.NotEqual(admin.Secret, partner.Secret);
        var rows = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync();
        Assert.Equal([ApiKeyService.Hash(admin.Secret), ApiKeyService.Hash(partner.Secret)], rows.Select(r => r.KeyHash));
        Assert.DoesNotContain(rows, r => r.Name.Contains(admin.Secret, StringComparison.Ordinal) || r.Prefix == admin.Secret);
        Assert.Equal(("ERP", admin.Secret[..12], "admin:alice"), (rows[0].Name, rows[0].Prefix, rows[0].CreatedBy));
        Assert.Equal(($"partner {partnerId}", (long?)partnerId), (rows[1].Name, rows[1].PartnerId));
        Assert.All(rows, r => Assert.Null(r.LastUsedAt));

        Clock.AdvanceMinutes(5);
        var asAdmin = await keys.AuthenticateAsync(admin.Secret);
        var asPartner = await keys.AuthenticateAsync(partner.Secret);

        Assert.Equal(new Actor.Admin($"apikey-{admin.Key.Id}"), asAdmin!.Actor);
        Assert.Equal(new Actor.Partner(partnerId), asPartner!.Actor);
        var listed = await keys.ListAsync(Alice);
        Assert.Equal([Clock.GetCurrentInstant(), Clock.GetCurrentInstant()], listed.Select(k => k.LastUsedAt));
        Assert.Equal([null, "Northwind"], listed.Select(k => k.Partner));

        // Within the minute the use is not written again; a minute later it is.
        var firstUse = Clock.GetCurrentInstant();
        Clock.AdvanceSeconds(59);
        Assert.NotNull(await keys.AuthenticateAsync(admin.Secret));
        Assert.Equal(firstUse, await db.ApiKeys.AsNoTracking().Where(k => k.Id == admin.Key.Id).Select(k => k.LastUsedAt).SingleAsync());
        Clock.AdvanceSeconds(1);
        Assert.NotNull(await keys.AuthenticateAsync(admin.Secret));
        Assert.Equal(firstUse.Plus(Duration.FromMinutes(1)), await db.ApiKeys.AsNoTracking().Where(k => k.Id == admin.Key.Id).Select(k => k.LastUsedAt).SingleAsync());
        Assert.Null(await keys.AuthenticateAsync(admin.Secret[..^1] + (admin.Secret[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(await keys.AuthenticateAsync(""));
        Assert.Equal(["apikey.made", "apikey.made"], await db.Audit.AsNoTracking().Where(a => a.Entity == "apikey").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    [Fact]
    public async Task A_revoked_key_is_refused_and_revoking_it_again_says_when_it_was()
    {
        await using var db = Database.Context();
        var keys = new ApiKeyService(db, Clock);
        var made = await keys.MakeAsync(Alice, null, "CRM");

        var revoked = await keys.RevokeAsync(Alice, made.Key.Id);
        var again = await Assert.ThrowsAsync<DomainException>(() => keys.RevokeAsync(Alice, made.Key.Id));

        Assert.Equal(Clock.GetCurrentInstant(), revoked.RevokedAt);
        Assert.Null(await keys.AuthenticateAsync(made.Secret));
        Assert.Equal(DomainErrors.ApiKeyAlreadyRevoked, again.Code);
        // The test clock stands on 1 December 2026.
        Assert.Equal($"La clé d'API {made.Key.Id} a déjà été révoquée le 1er décembre 2026.", again.Describe(CultureInfo.GetCultureInfo("fr")));
        Assert.Equal($"API key {made.Key.Id} was already revoked on 1 December 2026.", again.Describe(CultureInfo.GetCultureInfo("en")));
        var audit = await db.Audit.AsNoTracking().Where(a => a.Entity == "apikey").OrderBy(a => a.Id).Select(a => new { a.Actor, a.Action }).ToListAsync();
        Assert.Equal([("admin:alice", "apikey.made"), ("admin:alice", "apikey.revoked")], audit.Select(a => (a.Actor, a.Action)));
    }

    [Fact]
    public async Task Only_an_administrator_makes_keys_and_only_for_a_partner_that_exists()
    {
        await using var db = Database.Context();
        var keys = new ApiKeyService(db, Clock);

        var partner = await Assert.ThrowsAsync<DomainException>(() => keys.MakeAsync(new Actor.Partner(1), null, "mine"));
        var advisor = await Assert.ThrowsAsync<DomainException>(() => keys.ListAsync(new Actor.Advisor(1)));
        var unknown = await Assert.ThrowsAsync<DomainException>(() => keys.MakeAsync(Alice, 4242, "ghost"));
        var longName = await Assert.ThrowsAsync<DomainException>(() => keys.MakeAsync(Alice, null, new string('x', 101)));
        var unknownKey = await Assert.ThrowsAsync<DomainException>(() => keys.RevokeAsync(Alice, 4242));

        Assert.Equal(
            [DomainErrors.AdministratorsOnly, DomainErrors.AdministratorsOnly, DomainErrors.PartnerUnknown, DomainErrors.ApiKeyName, DomainErrors.ApiKeyUnknown],
            new[] { partner, advisor, unknown, longName, unknownKey }.Select(e => e.Code));
        Assert.Equal("Le nom d'une clé d'API compte de 1 à 100 caractères.", longName.Describe(CultureInfo.GetCultureInfo("fr")));
        Assert.Empty(await db.ApiKeys.AsNoTracking().ToListAsync());
        Assert.Empty(await db.Audit.AsNoTracking().Where(a => a.Entity == "apikey").ToListAsync());
    }
}
