using System.Globalization;
using System.Resources;
using System.Security.Cryptography;
using System.Text;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Administration;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Timeline;

namespace Renewals.Core.CalendarFeeds;

/// <summary>A contact of the customer's account and whether it has a feed address (since when).</summary>
public sealed record ContactFeed(long ContactId, string Name, string Email, Instant? IssuedAt);

/// <summary>A feed address just made: its token is shown now and never again (only its hash is kept).</summary>
public sealed record IssuedFeed(string Token, Instant IssuedAt)
{
    public string Path => $"/feeds/{Token}.ics";
}

/// <summary>
/// Calendar feeds: for each customer contact and each advisor, a secret address serving its
/// key dates and meetings as an .ics that calendar apps subscribe to. The token is 32 random
/// bytes; only its SHA-256 is stored, so the database cannot give an address away, and the
/// address is shown once, when made. Making a new one replaces the hash: the old address 404s.
/// </summary>
public sealed class CalendarFeedService(RenewalsDbContext db, IClock clock)
{
    public const string ProductId = "-//Renewals//Key dates//EN";

    private static readonly ResourceManager Texts = new("Renewals.Core.CalendarFeeds.FeedStrings", typeof(CalendarFeedService).Assembly);

    /// <summary>The contacts of the signed-in customer's account and their feeds.</summary>
    public async Task<IReadOnlyList<ContactFeed>> ContactFeedsAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == customer.AccountId).OrderBy(c => c.Role).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.Name, c.Email }).ToListAsync(ct);
        var ids = contacts.Select(c => c.Id).ToList();
        var feeds = await db.CalendarFeeds.AsNoTracking().Where(f => f.ContactId != null && ids.Contains(f.ContactId.Value))
            .ToDictionaryAsync(f => f.ContactId!.Value, f => f.IssuedAt, ct);
        return [.. contacts.Select(c => new ContactFeed(c.Id, c.Name, c.Email, feeds.TryGetValue(c.Id, out var at) ? at : null))];
    }

    /// <summary>Makes (or renews) a contact's feed address; null when the contact is not the customer's.</summary>
    public async Task<IssuedFeed?> RenewForContactAsync(PortalCustomer customer, long contactId, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId && c.AccountId == customer.AccountId, ct))
        {
            return null;
        }

        return await IssueAsync(f => f.ContactId == contactId, () => new CalendarFeed { ContactId = contactId, TokenHash = "" }, actor, ct);
    }

    /// <summary>When the advisor's feed address was made; null when it has none.</summary>
    public async Task<Instant?> AdvisorFeedAsync(long advisorId, CancellationToken ct = default) =>
        await db.CalendarFeeds.AsNoTracking().Where(f => f.AdvisorId == advisorId).Select(f => (Instant?)f.IssuedAt).SingleOrDefaultAsync(ct);

    public async Task<IssuedFeed> RenewForAdvisorAsync(long advisorId, string actor, CancellationToken ct = default) =>
        (await IssueAsync(f => f.AdvisorId == advisorId, () => new CalendarFeed { AdvisorId = advisorId, TokenHash = "" }, actor, ct))!;

    /// <summary>The feed a token opens, as an .ics; null when no feed has this token (the caller answers 404).</summary>
    public async Task<string?> IcsAsync(string token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = Hash(token);
        var feed = await db.CalendarFeeds.AsNoTracking().SingleOrDefaultAsync(f => f.TokenHash == hash, ct);
        // The lookup finds the row by its hash; the comparison that decides is made in constant time.
        if (feed is null || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(feed.TokenHash), Convert.FromHexString(hash)))
        {
            return null;
        }

        return feed switch
        {
            { ContactId: { } contactId } => await ContactIcsAsync(contactId, ct),
            { AdvisorId: { } advisorId } => await AdvisorIcsAsync(advisorId, ct),
            _ => null,
        };
    }

    private async Task<IssuedFeed> IssueAsync(
        System.Linq.Expressions.Expression<Func<CalendarFeed, bool>> owner, Func<CalendarFeed> create, string actor, CancellationToken ct)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetCurrentInstant();
        var feed = await db.CalendarFeeds.SingleOrDefaultAsync(owner, ct);
        var renewed = feed is not null;
        if (feed is null)
        {
            feed = create();
            db.CalendarFeeds.Add(feed);
        }

        feed.TokenHash = Hash(token);
        feed.IssuedAt = now;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        db.Audit.Add(new AuditEntry
        {
            At = now,
            Actor = actor,
            Action = renewed ? "calendar-feed.renewed" : "calendar-feed.made",
            Entity = AuditEntities.CalendarFeed,
            EntityId = feed.Id,
            Details = feed.ContactId is { } c ? $"contact {c}" : $"advisor {feed.AdvisorId}",
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new IssuedFeed(token, now);
    }

    private static readonly MilestoneKind[] CustomerKinds =
        [MilestoneKind.DayOne, MilestoneKind.YearlyInvoice, MilestoneKind.CancellationDeadline, MilestoneKind.Anniversary];

    private async Task<string?> ContactIcsAsync(long contactId, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Include(c => c.Account).SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact?.Account is not { } account)
        {
            return null;
        }

        var culture = Culture(contact.Language);
        var dates = await KeyDatesAsync(db.Subscriptions.Where(s => s.AccountId == account.Id), CustomerKinds, ct);
        var meetings = await MeetingsAsync(db.ReviewMeetings.Where(m => m.ContactId == contactId), ct);
        return Calendar(Text("Calendar", culture, contact.Name), dates, meetings, culture);
    }

    private async Task<string?> AdvisorIcsAsync(long advisorId, CancellationToken ct)
    {
        var advisor = await db.Advisors.AsNoTracking().SingleOrDefaultAsync(a => a.Id == advisorId, ct);
        if (advisor is null)
        {
            return null;
        }

        var culture = Culture(advisor.Language);
        var dates = await KeyDatesAsync(db.Subscriptions.OfAccountsVisibleTo(db.Accounts, new Actor.Advisor(advisorId), s => s.AccountId), Enum.GetValues<MilestoneKind>(), ct);
        var meetings = await MeetingsAsync(db.ReviewMeetings.Where(m => m.AdvisorId == advisorId), ct);
        return Calendar(Text("Calendar", culture, advisor.Name), dates, meetings, culture);
    }

    private sealed record KeyDate(long SubscriptionId, int TermNumber, MilestoneKind Kind, int Variant, LocalDate Date, string AccountName, LocalDate? EndsOn);

    private sealed record FeedMeeting(string Uid, int Sequence, Instant Start, Instant End, string AccountName, string? Location);

    /// <summary>The key dates still meant to happen or done (skipped ones are left out).</summary>
    private async Task<List<KeyDate>> KeyDatesAsync(IQueryable<Subscription> subscriptions, IReadOnlyCollection<MilestoneKind> kinds, CancellationToken ct) =>
        await db.Milestones.AsNoTracking()
            .Where(m => m.Status != MilestoneStatus.Skipped && kinds.Contains(m.Kind))
            .Join(subscriptions, m => m.SubscriptionId, s => s.Id, (m, s) => new KeyDate(m.SubscriptionId, m.TermNumber, m.Kind, m.Variant, m.Date, s.Account!.Name, s.EndsOn))
            .ToListAsync(ct);

    private async Task<List<FeedMeeting>> MeetingsAsync(IQueryable<ReviewMeeting> meetings, CancellationToken ct)
    {
        var rows = await meetings.AsNoTracking().Where(m => !m.IsCancelled)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { m.Uid, m.Sequence, m.Start, m.DurationMinutes, m.TimeZoneId, m.Location, Account = a.Name })
            .ToListAsync(ct);
        return [.. rows.Select(m =>
        {
            var start = m.Start.InZoneLeniently(DateTimeZoneProviders.Tzdb[m.TimeZoneId]).ToInstant();
            return new FeedMeeting(m.Uid, m.Sequence, start, start + NodaTime.Duration.FromMinutes(m.DurationMinutes), m.Account, m.Location);
        })];
    }

    private string Calendar(string name, List<KeyDate> dates, List<FeedMeeting> meetings, CultureInfo culture)
    {
        var stamp = new CalDateTime(clock.GetCurrentInstant().ToDateTimeUtc(), "UTC");
        var calendar = new Ical.Net.Calendar { ProductId = ProductId };
        calendar.AddProperty("X-WR-CALNAME", name);
        foreach (var d in dates.OrderBy(d => d.Date).ThenBy(d => d.SubscriptionId).ThenBy(d => d.Kind).ThenBy(d => d.Variant))
        {
            var ends = d.Kind == MilestoneKind.Anniversary && d.EndsOn == d.Date;
            calendar.Events.Add(new CalendarEvent
            {
                // One key date keeps one UID for ever: a calendar updates it rather than adding a copy.
                Uid = $"{d.Kind.ToString().ToLowerInvariant()}-s{d.SubscriptionId}-t{d.TermNumber}-v{d.Variant}@renewals",
                DtStamp = stamp,
                DtStart = new CalDateTime(d.Date.Year, d.Date.Month, d.Date.Day),
                DtEnd = new CalDateTime(d.Date.PlusDays(1).Year, d.Date.PlusDays(1).Month, d.Date.PlusDays(1).Day),
                Summary = Text(ends ? "Ends" : d.Kind.ToString(), culture, d.SubscriptionId, d.AccountName),
                Transparency = "TRANSPARENT",
            });
        }

        foreach (var m in meetings.OrderBy(m => m.Start))
        {
            calendar.Events.Add(new CalendarEvent
            {
                // The invitation's UID and sequence: the feed and the emailed invitation are the same meeting.
                Uid = m.Uid,
                Sequence = m.Sequence,
                DtStamp = stamp,
                DtStart = new CalDateTime(m.Start.ToDateTimeUtc(), "UTC"),
                DtEnd = new CalDateTime(m.End.ToDateTimeUtc(), "UTC"),
                Summary = Text("Meeting", culture, m.AccountName),
                Location = m.Location,
                Transparency = "OPAQUE",
            });
        }

        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    private static CultureInfo Culture(string language) => CultureInfo.GetCultureInfo(language == "fr" ? "fr" : "en");

    private static string Text(string key, CultureInfo culture, params object[] args) =>
        string.Format(culture, Texts.GetString(key, culture) ?? key, args);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
