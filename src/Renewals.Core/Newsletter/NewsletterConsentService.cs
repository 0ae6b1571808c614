using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Newsletter;

/// <summary>Where a change of consent came from: a typed list, stored as these codes.</summary>
public static class ConsentSources
{
    /// <summary>The contact's web account, /portal/newsletter.</summary>
    public const string Portal = "portal";

    /// <summary>The page the link in an issue opens, and its button.</summary>
    public const string UnsubscribeLink = "unsubscribe-link";

    /// <summary>A mail client's RFC 8058 one-click POST.</summary>
    public const string OneClick = "one-click";

    public const string Admin = "admin";

    public const string Import = "import";

    public static IReadOnlyList<string> All { get; } = [Portal, UnsubscribeLink, OneClick, Admin, Import];
}

/// <summary>A contact's current choice as the web account shows it: since when (in the account's zone) and from where (none: never asked, not subscribed).</summary>
public sealed record ContactConsent(long ContactId, string Name, string Email, bool Subscribed, LocalDateTime? Since, string? Source, bool IsSignedInUser);

/// <summary>What the unsubscribe page shows to whoever holds the link: the address it is for and its current choice.</summary>
public sealed record UnsubscribeView(string Email, string Language, bool Subscribed);

/// <summary>
/// Consent to the monthly newsletter. Opt-in: a contact with no record is not subscribed. Each
/// change is a new record (never an update) with its instant, source and actor, and an audit row;
/// the latest record is the current choice. Renewal messages never look here.
/// </summary>
public sealed class NewsletterConsentService(RenewalsDbContext db, IClock clock)
{
    /// <summary>The contacts whose latest record says subscribed.</summary>
    public static IQueryable<long> SubscribedContactIds(RenewalsDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.NewsletterConsents
            .Where(c => c.Subscribed && !db.NewsletterConsents.Any(later => later.ContactId == c.ContactId && later.Id > c.Id))
            .Select(c => c.ContactId);
    }

    public static Task<bool> IsSubscribedAsync(RenewalsDbContext db, long contactId, CancellationToken ct) =>
        db.NewsletterConsents.AsNoTracking().Where(c => c.ContactId == contactId).OrderByDescending(c => c.Id)
            .Select(c => c.Subscribed).FirstOrDefaultAsync(ct);

    /// <summary>Every contact of the customer's account with its current choice; the one the sign-in's email names is marked.</summary>
    public async Task<IReadOnlyList<ContactConsent>> PortalAsync(PortalCustomer customer, string? userEmail, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == customer.AccountId)
            .Select(c => new { c.Id, c.Name, c.Email }).ToListAsync(ct);
        var zoneId = await db.Accounts.AsNoTracking().Where(a => a.Id == customer.AccountId).Select(a => a.TimeZoneId).SingleOrDefaultAsync(ct);
        var zone = (zoneId is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)) ?? DateTimeZone.Utc;
        var ids = contacts.Select(c => c.Id).ToList();
        var records = await db.NewsletterConsents.AsNoTracking().Where(r => ids.Contains(r.ContactId)).ToListAsync(ct);
        var latest = records.GroupBy(r => r.ContactId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Id)!);
        return [.. contacts
            .Select(c => latest.GetValueOrDefault(c.Id) is { } r
                ? new ContactConsent(c.Id, c.Name, c.Email, r.Subscribed, r.At.InZone(zone).LocalDateTime, r.Source, Same(c.Email, userEmail))
                : new ContactConsent(c.Id, c.Name, c.Email, false, null, null, Same(c.Email, userEmail)))
            .OrderByDescending(c => c.IsSignedInUser).ThenBy(c => c.Name, StringComparer.CurrentCulture)];
    }

    /// <summary>
    /// A change from the web account for one of the customer's own contacts; false when the contact
    /// is not the account's (the page answers 404, as for anything else of another account).
    /// </summary>
    public async Task<bool> SetFromPortalAsync(PortalCustomer customer, long contactId, bool subscribed, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId && c.AccountId == customer.AccountId, ct))
        {
            return false;
        }

        await RecordAsync(contactId, subscribed, ConsentSources.Portal, actor, ct);
        return true;
    }

    /// <summary>A change made by an administrator or the operator (by hand, or for a book imported with its consents).</summary>
    /// <returns>Whether it changed the contact's choice (the same choice again records nothing).</returns>
    public async Task<bool> SetAsync(Actor actor, long contactId, bool subscribed, string source, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        if (source is not (ConsentSources.Admin or ConsentSources.Import))
        {
            throw new DomainException(DomainErrors.NewsletterConsentSourceUnknown, source ?? "");
        }

        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, ct))
        {
            throw new DomainException(DomainErrors.ContactUnknown, contactId);
        }

        return await RecordAsync(contactId, subscribed, source, actor.AuditName, ct);
    }

    /// <summary>The unsubscribe page's facts for the contact the token names; null for a token nobody was sent.</summary>
    public async Task<UnsubscribeView?> ByTokenAsync(string token, CancellationToken ct = default)
    {
        if (await DeliveryAsync(token, ct) is not { } delivery)
        {
            return null;
        }

        var email = await db.Contacts.AsNoTracking().Where(c => c.Id == delivery.ContactId).Select(c => c.Email).SingleAsync(ct);
        return new UnsubscribeView(email, delivery.Language, await IsSubscribedAsync(db, delivery.ContactId, ct));
    }

    /// <summary>
    /// Unsubscribes the contact the token names, from the page's button or a mail client's
    /// one-click POST (<paramref name="source"/>). False for an unknown token; true otherwise,
    /// even when the contact had already left (asking twice is not an error).
    /// </summary>
    public async Task<bool> UnsubscribeAsync(string token, string source, CancellationToken ct = default)
    {
        if (source is not (ConsentSources.UnsubscribeLink or ConsentSources.OneClick))
        {
            throw new DomainException(DomainErrors.NewsletterConsentSourceUnknown, source ?? "");
        }

        if (await DeliveryAsync(token, ct) is not { } delivery)
        {
            return false;
        }

        await RecordAsync(delivery.ContactId, false, source, string.Create(CultureInfo.InvariantCulture, $"contact:{delivery.ContactId}"), ct);
        return true;
    }

    private async Task<NewsletterDelivery?> DeliveryAsync(string? token, CancellationToken ct)
    {
        // Tokens are 43 base64url characters: anything else is not worth a query.
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }

        return await db.NewsletterDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Token == token, ct);
    }

    private async Task<bool> RecordAsync(long contactId, bool subscribed, string source, string actor, CancellationToken ct)
    {
        if (await IsSubscribedAsync(db, contactId, ct) == subscribed
            && (subscribed || await db.NewsletterConsents.AnyAsync(c => c.ContactId == contactId, ct)))
        {
            // No change: the record stays the one that set the current choice.
            return false;
        }

        var now = clock.GetCurrentInstant();
        db.NewsletterConsents.Add(new NewsletterConsent { ContactId = contactId, Subscribed = subscribed, At = now, Source = source, Actor = actor });
        db.Audit.Add(new AuditEntry
        {
            At = now,
            Actor = actor,
            Action = subscribed ? "newsletter.subscribed" : "newsletter.unsubscribed",
            Entity = "contact",
            EntityId = contactId,
            Details = source,
        });
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static bool Same(string email, string? other) =>
        other is not null && string.Equals(email.Trim(), other.Trim(), StringComparison.OrdinalIgnoreCase);
}
