using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Access;
using Renewals.Core.Invoicing;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Newsletter;

/// <summary>What an admin types for an issue; <see cref="Schedule"/> is a local date and time in the vendor's zone, empty for a draft.</summary>
public sealed record NewsletterDraft(string? SubjectEn, string? SubjectFr, string? MarkdownEn, string? MarkdownFr, string? Schedule);

/// <summary>Where an issue stands: a draft, scheduled, or sent (written to the outbox).</summary>
public enum NewsletterIssueState
{
    Draft,
    Scheduled,
    Sent,
}

/// <summary>An issue as the admin pages show it; <see cref="ScheduledAt"/> in the vendor's zone.</summary>
public sealed record NewsletterIssueView(
    long Id, string SubjectEn, string SubjectFr, string MarkdownEn, string MarkdownFr, LocalDateTime? ScheduledAt, Instant? QueuedAt,
    NewsletterIssueState State, int Recipients);

/// <summary>An issue as one language's readers will get it.</summary>
public sealed record NewsletterPreview(string Language, string Subject, string Html, string Text);

/// <summary>One issue sent: messages written now, and contacts who already had it.</summary>
public sealed record NewsletterIssueSent(long IssueId, int Queued, int AlreadySent);

public sealed record NewsletterSendResult(IReadOnlyList<NewsletterIssueSent> Issues)
{
    public int Queued => Issues.Sum(i => i.Queued);
}

/// <summary>
/// Newsletter issues: written by admins in Markdown (one text and subject per language),
/// previewed as readers will get them, scheduled in the vendor's zone, and sent when due: one
/// outbox message per subscribed contact in the contact's language (else the account's), at most
/// once per issue and contact (a unique key), each with its own unsubscribe token.
/// </summary>
public sealed class NewsletterService(RenewalsDbContext db, IClock clock, MessageRenderer renderer, DeliveryOptions delivery, Invoicing.Seller seller)
{
    /// <summary>The zone issues are scheduled in: the vendor's own.</summary>
    public string VendorTimeZoneId => seller.TimeZoneId;

    public const int MaxSubject = 200;
    public const int MaxMarkdown = 20000;

    private static readonly LocalDateTimePattern[] SchedulePatterns =
    [
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss"),
    ];

    private DateTimeZone VendorZone => seller.Zone;

    public async Task<IReadOnlyList<NewsletterIssueView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var issues = await db.NewsletterIssues.AsNoTracking().ToListAsync(ct);
        var counts = await db.NewsletterDeliveries.AsNoTracking().GroupBy(d => d.IssueId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return [.. issues.OrderByDescending(i => i.Id).Select(i => View(i, counts.SingleOrDefault(c => c.Key == i.Id)?.Count ?? 0))];
    }

    /// <summary>How many contacts an issue sent now would go to.</summary>
    public async Task<int> SubscriberCountAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        return await NewsletterConsentService.SubscribedContactIds(db).CountAsync(ct);
    }

    public async Task<NewsletterIssueView?> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var issue = await db.NewsletterIssues.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
        return issue is null ? null : View(issue, await db.NewsletterDeliveries.CountAsync(d => d.IssueId == id, ct));
    }

    /// <summary>Creates an issue (<paramref name="id"/> null) or changes one not sent yet; bad input is refused whole, nothing stored.</summary>
    public async Task<NewsletterIssueView> SaveAsync(Actor actor, long? id, NewsletterDraft draft, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var now = clock.GetCurrentInstant();
        var valid = Validate(draft, now);
        NewsletterIssue issue;
        if (id is { } existing)
        {
            issue = await db.NewsletterIssues.SingleOrDefaultAsync(i => i.Id == existing, ct)
                ?? throw new DomainException(DomainErrors.NewsletterIssueUnknown, existing);
            if (issue.QueuedAt is not null)
            {
                throw new DomainException(DomainErrors.NewsletterIssueAlreadySent, existing);
            }
        }
        else
        {
            issue = new NewsletterIssue { SubjectEn = "", SubjectFr = "", MarkdownEn = "", MarkdownFr = "", CreatedAt = now, CreatedBy = actor.AuditName };
            db.NewsletterIssues.Add(issue);
        }

        issue.SubjectEn = valid.SubjectEn;
        issue.SubjectFr = valid.SubjectFr;
        issue.MarkdownEn = valid.MarkdownEn;
        issue.MarkdownFr = valid.MarkdownFr;
        issue.ScheduledAt = valid.ScheduledAt;
        issue.UpdatedAt = now;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        db.Audit.Add(new AuditEntry
        {
            At = now,
            Actor = actor.AuditName,
            Action = id is null ? "newsletter.issue-created" : "newsletter.issue-changed",
            Entity = "newsletter-issue",
            EntityId = issue.Id,
            Details = issue.ScheduledAt is { } at ? "scheduled for " + InstantPattern.General.Format(at) : "draft",
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return View(issue, 0);
    }

    /// <summary>The draft in both languages as readers will get it (checked as a save would, nothing stored).</summary>
    public async Task<IReadOnlyList<NewsletterPreview>> PreviewAsync(Actor actor, NewsletterDraft draft, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var valid = Validate(draft, clock.GetCurrentInstant(), checkSchedule: false);
        var previews = new List<NewsletterPreview>();
        foreach (var language in TemplateLibrary.Languages)
        {
            var model = MessageSamples.Model(MessageKinds.Newsletter, language, delivery.PortalUrl, clock.GetCurrentInstant().InZone(VendorZone).Date);
            var (subject, markdown) = language == "fr" ? (valid.SubjectFr, valid.MarkdownFr) : (valid.SubjectEn, valid.MarkdownEn);
            model["subject"] = subject;
            model["body_html"] = NewsletterMarkdown.Html(markdown);
            model["body_text"] = NewsletterMarkdown.Text(markdown);
            var stored = await StoredTemplates.CurrentAsync(db, MessageKinds.Newsletter, language, ct);
            var rendered = await renderer.RenderAsync(MessageKinds.Newsletter, language, model, stored);
            previews.Add(new NewsletterPreview(language, rendered.Subject, rendered.Html, rendered.Text));
        }

        return previews;
    }

    /// <summary>
    /// Sends every issue due at now (scheduled, not yet sent), or with <paramref name="issueId"/>
    /// that one now whatever its time (a draft is refused). A contact who already has an issue is
    /// not written to again, so running twice, or beside another sender, writes nothing twice.
    /// </summary>
    public async Task<NewsletterSendResult> SendDueAsync(Actor actor, long? issueId = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var now = clock.GetCurrentInstant();
        List<long> due;
        if (issueId is { } id)
        {
            var issue = await db.NewsletterIssues.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct)
                ?? throw new DomainException(DomainErrors.NewsletterIssueUnknown, id);
            due = issue.ScheduledAt is null ? throw new DomainException(DomainErrors.NewsletterIssueNotScheduled, id) : [id];
        }
        else
        {
            due = await db.NewsletterIssues.AsNoTracking()
                .Where(i => i.QueuedAt == null && i.ScheduledAt != null && i.ScheduledAt <= now)
                .OrderBy(i => i.ScheduledAt).ThenBy(i => i.Id).Select(i => i.Id).ToListAsync(ct);
        }

        var sent = new List<NewsletterIssueSent>();
        foreach (var issue in due)
        {
            sent.Add(await SendAsync(actor, issue, now, ct));
        }

        return new NewsletterSendResult(sent);
    }

    private async Task<NewsletterIssueSent> SendAsync(Actor actor, long issueId, Instant now, CancellationToken ct)
    {
        var issue = await db.NewsletterIssues.SingleAsync(i => i.Id == issueId, ct);
        var subscribed = NewsletterConsentService.SubscribedContactIds(db);
        var contacts = await db.Contacts.AsNoTracking()
            .Where(c => subscribed.Contains(c.Id))
            .Select(c => new { c.Id, c.AccountId, c.Email, c.Language, AccountLanguage = c.Account!.Language })
            .ToListAsync(ct);
        var already = (await db.NewsletterDeliveries.AsNoTracking().Where(d => d.IssueId == issueId).Select(d => d.ContactId).ToListAsync(ct)).ToHashSet();
        var parts = TemplateLibrary.Languages.ToDictionary(
            l => l,
            l => l == "fr"
                ? (Subject: issue.SubjectFr, Html: NewsletterMarkdown.Html(issue.MarkdownFr), Text: NewsletterMarkdown.Text(issue.MarkdownFr))
                : (Subject: issue.SubjectEn, Html: NewsletterMarkdown.Html(issue.MarkdownEn), Text: NewsletterMarkdown.Text(issue.MarkdownEn)));

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var written = new List<(OutboxMessage Message, NewsletterDelivery Delivery)>();
        foreach (var contact in contacts.Where(c => !already.Contains(c.Id)).OrderBy(c => c.Id))
        {
            var language = LanguageOf(contact.Language, contact.AccountLanguage);
            var (subject, html, text) = parts[language];
            var token = Base64Url(RandomNumberGenerator.GetBytes(32));
            var message = new OutboxMessage
            {
                Template = MessageKinds.Newsletter,
                AccountId = contact.AccountId,
                ContactId = contact.Id,
                ToEmail = contact.Email,
                Language = language,
                Payload = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["issue_id"] = issueId,
                    ["subject"] = subject,
                    ["body_html"] = html,
                    ["body_text"] = text,
                    ["unsubscribe_token"] = token,
                }),
                MessageId = string.Create(CultureInfo.InvariantCulture, $"<{MessageKinds.Newsletter}.i{issueId}.c{contact.Id}@renewals>"),
                CreatedAt = now,
                NextAttemptAt = now,
            };
            db.Outbox.Add(message);
            written.Add((message, new NewsletterDelivery { IssueId = issueId, ContactId = contact.Id, Language = language, Token = token, QueuedAt = now }));
        }

        try
        {
            await db.SaveChangesAsync(ct);
            foreach (var (message, row) in written)
            {
                row.OutboxMessageId = message.Id;
                db.NewsletterDeliveries.Add(row);
            }

            issue.QueuedAt ??= now;
            db.Audit.Add(new AuditEntry
            {
                At = now,
                Actor = actor.AuditName,
                Action = "newsletter.sent",
                Entity = "newsletter-issue",
                EntityId = issueId,
                Details = string.Create(CultureInfo.InvariantCulture, $"{written.Count} messages written, {already.Count} contacts had it already"),
            });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException clash) when (UniqueViolation.Is(clash))
        {
            // Another sender (the web host's pass, the command line) wrote this issue at the same
            // moment: its messages stand, these are dropped; the next pass completes what is missing.
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return new NewsletterIssueSent(issueId, 0, already.Count);
        }

        return new NewsletterIssueSent(issueId, written.Count, already.Count);
    }

    /// <summary>The contact's language when it has one the newsletter is written in, else the account's.</summary>
    public static string LanguageOf(string? contactLanguage, string? accountLanguage) =>
        TemplateLibrary.Languages.Contains(contactLanguage?.Trim() ?? "") ? contactLanguage!.Trim()
        : TemplateLibrary.Languages.Contains(accountLanguage?.Trim() ?? "") ? accountLanguage!.Trim()
        : "en";

    private NewsletterIssueView View(NewsletterIssue i, int recipients) => new(
        i.Id, i.SubjectEn, i.SubjectFr, i.MarkdownEn, i.MarkdownFr, i.ScheduledAt?.InZone(VendorZone).LocalDateTime, i.QueuedAt,
        i.QueuedAt is not null ? NewsletterIssueState.Sent : i.ScheduledAt is not null ? NewsletterIssueState.Scheduled : NewsletterIssueState.Draft,
        recipients);

    private ValidDraft Validate(NewsletterDraft draft, Instant now, bool checkSchedule = true)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var subjectEn = draft.SubjectEn?.Trim() ?? "";
        var subjectFr = draft.SubjectFr?.Trim() ?? "";
        if (subjectEn.Length == 0 || subjectFr.Length == 0 || subjectEn.Length > MaxSubject || subjectFr.Length > MaxSubject
            || subjectEn.Any(char.IsControl) || subjectFr.Any(char.IsControl))
        {
            throw new DomainException(DomainErrors.NewsletterSubjectRequired, MaxSubject);
        }

        var markdownEn = (draft.MarkdownEn ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        var markdownFr = (draft.MarkdownFr ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        if (markdownEn.Length == 0 || markdownFr.Length == 0)
        {
            throw new DomainException(DomainErrors.NewsletterTextRequired);
        }

        if (Math.Max(markdownEn.Length, markdownFr.Length) is var longest and > MaxMarkdown)
        {
            throw new DomainException(DomainErrors.NewsletterTextTooLong, MaxMarkdown, longest);
        }

        Instant? scheduledAt = null;
        if (!string.IsNullOrWhiteSpace(draft.Schedule))
        {
            var text = draft.Schedule.Trim();
            var parsed = SchedulePatterns.Select(p => p.Parse(text)).FirstOrDefault(r => r.Success)
                ?? throw new DomainException(DomainErrors.NewsletterScheduleInvalid, text);
            // A time skipped by a clock change goes forward, one met twice is its first occurrence.
            var at = VendorZone.ResolveLocal(parsed.Value, NodaTime.TimeZones.Resolvers.LenientResolver).ToInstant();
            if (checkSchedule && at <= now)
            {
                throw new DomainException(DomainErrors.NewsletterScheduleInPast, parsed.Value);
            }

            scheduledAt = at;
        }

        return new ValidDraft(subjectEn, subjectFr, markdownEn, markdownFr, scheduledAt);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record ValidDraft(string SubjectEn, string SubjectFr, string MarkdownEn, string MarkdownFr, Instant? ScheduledAt);
}
