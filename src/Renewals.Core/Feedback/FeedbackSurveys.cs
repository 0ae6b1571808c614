using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Feedback;

/// <summary>The interactions a survey asks about, as stored in <c>FeedbackSurvey.Interaction</c>.</summary>
public static class FeedbackInteractions
{
    /// <summary>A review meeting recorded as held.</summary>
    public const string Meeting = "meeting";

    /// <summary>A callback task closed as done.</summary>
    public const string Callback = "callback";

    public static IReadOnlyList<string> All { get; } = [Meeting, Callback];
}

/// <summary>Where an answer came from, as stored in <c>AdvisorFeedbackAnswer.Source</c>.</summary>
public static class FeedbackSources
{
    /// <summary>The one-time link of a survey.</summary>
    public const string Survey = "survey";

    /// <summary>The web account, at any time.</summary>
    public const string Portal = "portal";

    public static IReadOnlyList<string> All { get; } = [Survey, Portal];
}

/// <summary>
/// Writes the survey that follows an interaction, into the interaction's own unit of work: the
/// caller saves and commits it with the write that records the interaction, so an interaction
/// never loses its survey, and the unique index on the meeting or task means it never gets two.
/// The link carries 32 random bytes; only their SHA-256 is stored.
/// </summary>
public static class FeedbackSurveys
{
    /// <summary>How long a survey link works.</summary>
    public const int ValidDays = 30;

    public const int TokenBytes = 32;

    /// <summary>Adds the survey for a meeting recorded as held (not saved: the caller's transaction does).</summary>
    public static async Task AddForMeetingAsync(RenewalsDbContext db, ReviewMeeting meeting, Instant now, string auditActor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(meeting);
        await AddAsync(db, FeedbackInteractions.Meeting, meeting.Id, null, meeting.AdvisorId, meeting.AccountId, meeting.ContactId, now, auditActor, ct);
    }

    /// <summary>
    /// Adds the survey for a callback task just closed as done, when it has an advisor and its
    /// request names a contact of the account (someone no contact matches is not a customer to
    /// ask). Not saved: the caller's transaction does.
    /// </summary>
    public static async Task AddForCallbackAsync(RenewalsDbContext db, long taskId, Instant now, string auditActor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var task = await db.AdvisorTasks.AsNoTracking().Where(t => t.Id == taskId).Select(t => new { t.AdvisorId, t.AccountId }).SingleAsync(ct);
        var request = await db.CallbackRequests.AsNoTracking().Where(r => r.AdvisorTaskId == taskId).Select(r => new { r.ContactId, r.AccountId }).SingleOrDefaultAsync(ct);
        if (task is { AdvisorId: { } advisorId, AccountId: { } accountId } && request is { ContactId: { } contactId } && request.AccountId == accountId)
        {
            await AddAsync(db, FeedbackInteractions.Callback, null, taskId, advisorId, accountId, contactId, now, auditActor, ct);
        }
    }

    /// <summary>SHA-256 of a link's token as stored, or null when the text is not a token of the right shape.</summary>
    public static string? HashOf(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[48];
        if (!Base64Url.IsValid(token) || Base64Url.DecodeFromChars(token, bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != token.Length || written != TokenBytes)
        {
            return null;
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes[..written]));
    }

    private static async Task AddAsync(
        RenewalsDbContext db, string interaction, long? meetingId, long? taskId, long advisorId, long accountId, long contactId, Instant now, string auditActor, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == contactId).Select(c => new { c.Email, c.Language }).SingleAsync(ct);
        var advisor = await db.Advisors.AsNoTracking().Where(a => a.Id == advisorId).Select(a => new { a.Name, a.Email }).SingleAsync(ct);
        var zoneId = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.TimeZoneId).SingleAsync(ct);
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DateTimeZone.Utc;
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        var hash = HashOf(token)!;
        var language = contact.Language is "fr" ? "fr" : "en";
        db.FeedbackSurveys.Add(new FeedbackSurvey
        {
            Interaction = interaction,
            ReviewMeetingId = meetingId,
            AdvisorTaskId = taskId,
            AdvisorId = advisorId,
            AccountId = accountId,
            ContactId = contactId,
            TokenHash = hash,
            Language = language,
            SentAt = now,
            ExpiresAt = now.Plus(Duration.FromDays(ValidDays)),
        });
        db.Outbox.Add(new OutboxMessage
        {
            Template = MessageKinds.FeedbackSurvey,
            AccountId = accountId,
            ContactId = contactId,
            ToEmail = contact.Email,
            Language = language,
            // The token lives only here, as the reset and invitation links do: the survey row keeps its hash.
            Payload = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["advisor"] = new Dictionary<string, object> { ["name"] = advisor.Name, ["email"] = advisor.Email },
                ["interaction"] = interaction,
                ["interaction_date"] = LocalDatePattern.Iso.Format(now.InZone(zone).Date),
                ["link_path"] = $"/feedback/{token}?culture={language}",
                ["link_valid_days"] = ValidDays,
            }),
            // The hash names the message without giving the link away.
            MessageId = string.Create(CultureInfo.InvariantCulture, $"<{MessageKinds.FeedbackSurvey}.{hash[..24]}@renewals>"),
            CreatedAt = now,
            NextAttemptAt = now,
        });
        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = auditActor, Action = "feedback.survey-sent",
            Entity = meetingId is null ? "advisor-task" : "review-meeting", EntityId = meetingId ?? taskId!.Value,
            Details = string.Create(CultureInfo.InvariantCulture, $"{interaction}; advisor {advisorId}; contact {contactId}"),
        });
    }
}
