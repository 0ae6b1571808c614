using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Licensing;

/// <summary>A signed licence file and what it states.</summary>
public sealed record IssuedLicence(Licence Licence, string Text)
{
    /// <summary>The file's bytes, as written to disk (UTF-8, no byte-order mark).</summary>
    public byte[] Bytes => Encoding.UTF8.GetBytes(Text);
}

/// <summary>
/// Issues licence files: what a subscription's term entitles its customer to, signed with the
/// vendor's key. The rights come from the term's entitlement rows, which the sale writes for
/// the first term and the engine writes at each anniversary.
/// </summary>
public sealed class LicenceService(RenewalsDbContext db, IClock clock)
{
    /// <summary>
    /// What the licence for <paramref name="termNumber"/> (default: the current term) states;
    /// its <see cref="Licence.SigningKey"/> is filled in when it is signed.
    /// </summary>
    /// <exception cref="DomainException">The subscription does not exist.</exception>
    /// <exception cref="LicenceException">The term does not exist yet or carries no rights.</exception>
    public async Task<Licence> DescribeAsync(long subscriptionId, int? termNumber = null, CancellationToken ct = default)
    {
        var subscription = await db.Subscriptions.AsNoTracking().Include(s => s.Account)
            .SingleOrDefaultAsync(s => s.Id == subscriptionId, ct)
            ?? throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);
        var term = termNumber ?? subscription.CurrentTermNumber;
        if (term < 1 || term > subscription.CurrentTermNumber)
        {
            throw new LicenceException(LicenceException.NoSuchTerm, subscriptionId, term, subscription.CurrentTermNumber);
        }

        var rights = await db.Entitlements.AsNoTracking()
            .Where(e => e.SubscriptionId == subscriptionId && e.TermNumber == term)
            .Join(db.Products, e => e.ProductId, p => p.Id, (e, p) => new Right(p.Code, p.Name, e.Quantity, e.ValidFrom, e.ValidUntil))
            .ToListAsync(ct);
        if (rights.Count == 0 && term == 1)
        {
            rights = await FirstTermFromLinesAsync(subscription, ct);
        }

        if (rights.Count == 0)
        {
            throw new LicenceException(LicenceException.NoEntitlements, subscriptionId, term);
        }

        // Rows of one term share their dates; should they ever differ, the file grants only what all of them cover.
        var validFrom = rights.Max(r => r.ValidFrom);
        var validUntil = rights.Min(r => r.ValidUntil);
        if (subscription.EndsOn is { } endsOn && endsOn < validUntil)
        {
            validUntil = endsOn;
        }

        if (validUntil <= validFrom)
        {
            throw new LicenceException(LicenceException.NoEntitlements, subscriptionId, term);
        }

        List<LicenceProduct> products = [.. rights
            .GroupBy(r => r.Code, StringComparer.Ordinal)
            .Select(g => new LicenceProduct(g.Key, g.First().Name, g.Sum(r => r.Quantity)))
            .OrderBy(p => p.Code, StringComparer.Ordinal)];
        var account = subscription.Account!;
        return new Licence(
            LicenceFile.LicenceIdFor(subscriptionId, term, validFrom, validUntil, products),
            Instant.FromUnixTimeSeconds(clock.GetCurrentInstant().ToUnixTimeSeconds()),
            account.Id,
            account.Name,
            subscriptionId,
            term,
            account.TimeZoneId,
            validFrom,
            validUntil,
            products,
            SigningKey: "");
    }

    /// <summary>Signs the licence of a term and records in the audit trail that it was issued.</summary>
    public async Task<IssuedLicence> IssueAsync(
        long subscriptionId, int? termNumber, LicenceSigningKey key, string actor, CancellationToken ct = default) =>
        await IssueAsync(await DescribeAsync(subscriptionId, termNumber, ct), key, actor, ct);

    /// <summary>Signs a licence <see cref="DescribeAsync"/> gave and records in the audit trail that it was issued.</summary>
    public async Task<IssuedLicence> IssueAsync(Licence licence, LicenceSigningKey key, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(licence);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        licence = licence with { SigningKey = key.Fingerprint };
        var issued = new IssuedLicence(licence, LicenceFile.Write(licence, key));
        db.Audit.Add(new AuditEntry
        {
            At = licence.IssuedAt,
            Actor = actor,
            Action = "licence.issued",
            Entity = "subscription",
            EntityId = licence.SubscriptionId,
            Details = $"{licence.LicenceId}, term {licence.TermNumber}, key {key.Fingerprint}",
        });
        await db.SaveChangesAsync(ct);
        return issued;
    }

    /// <summary>
    /// The first term's rights when no entitlement row holds them: the subscription's lines
    /// over the stored first term (or, for a contract imported later, the term the rules give).
    /// </summary>
    private async Task<List<Right>> FirstTermFromLinesAsync(Subscription subscription, CancellationToken ct)
    {
        var stored = await db.Terms.AsNoTracking().SingleOrDefaultAsync(t => t.SubscriptionId == subscription.Id && t.Number == 1, ct);
        var (start, end) = stored is not null
            ? (stored.Start, stored.End)
            : DomainTerm(subscription);
        var lines = await db.SubscriptionLines.AsNoTracking()
            .Where(l => l.SubscriptionId == subscription.Id)
            .Join(db.Products, l => l.ProductId, p => p.Id, (l, p) => new { p.Code, p.Name, l.Quantity })
            .ToListAsync(ct);
        return [.. lines.Select(l => new Right(l.Code, l.Name, l.Quantity, start, end))];
    }

    private static (LocalDate Start, LocalDate End) DomainTerm(Subscription subscription)
    {
        var zone = DateTimeZoneProviders.Tzdb[subscription.Account!.TimeZoneId];
        var term = DomainMapping.ToDomain(subscription.Account.Name, subscription.Start, subscription.InitialTermYears, zone,
            subscription.Billing, null, subscription.IsFirstInProductFamily).Term(1);
        return (term.Start, term.End);
    }

    private sealed record Right(string Code, string Name, int Quantity, LocalDate ValidFrom, LocalDate ValidUntil);
}
