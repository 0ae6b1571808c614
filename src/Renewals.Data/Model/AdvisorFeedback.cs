using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>
/// A survey sent to a contact after an interaction with an advisor: a review meeting held, or a
/// callback task closed as done (exactly one of <see cref="ReviewMeetingId"/> and
/// <see cref="AdvisorTaskId"/>, each unique, so an interaction never gets two). The link's token
/// is never stored: only its SHA-256, so the table cannot be read back into working links.
/// </summary>
public sealed class FeedbackSurvey
{
    public long Id { get; set; }

    /// <summary>"meeting" or "callback": the kind of interaction the survey asks about.</summary>
    public required string Interaction { get; set; }

    public long? ReviewMeetingId { get; set; }

    public long? AdvisorTaskId { get; set; }

    public long AdvisorId { get; set; }

    public long AccountId { get; set; }

    public long ContactId { get; set; }

    /// <summary>SHA-256 of the link's token, lower-case hex.</summary>
    public required string TokenHash { get; set; }

    /// <summary>"fr" or "en": the contact's language when it was sent.</summary>
    public required string Language { get; set; }

    public Instant SentAt { get; set; }

    /// <summary>The first instant the link no longer works.</summary>
    public Instant ExpiresAt { get; set; }

    /// <summary>Set once, by the one conditional update that records the answer.</summary>
    public Instant? AnsweredAt { get; set; }
}

/// <summary>
/// What a customer said about its advisor: from a survey link (<see cref="SurveyId"/>, unique)
/// or from the web account at any time (no survey).
/// </summary>
public sealed class AdvisorFeedbackAnswer
{
    public long Id { get; set; }

    public long? SurveyId { get; set; }

    public long AdvisorId { get; set; }

    public long AccountId { get; set; }

    /// <summary>The contact who answered, when known (always for a survey; from the web account, the contact the sign-in's email names).</summary>
    public long? ContactId { get; set; }

    /// <summary>"survey" or "portal".</summary>
    public required string Source { get; set; }

    public bool Useful { get; set; }

    /// <summary>1 to 5.</summary>
    public int Rating { get; set; }

    public string? Comment { get; set; }

    public Instant GivenAt { get; set; }
}

internal sealed class FeedbackSurveyMapping : IEntityTypeConfiguration<FeedbackSurvey>
{
    public void Configure(EntityTypeBuilder<FeedbackSurvey> builder)
    {
        builder.Property(s => s.Interaction).HasMaxLength(16);
        builder.Property(s => s.TokenHash).HasMaxLength(64);
        builder.Property(s => s.Language).HasMaxLength(2);
        builder.HasIndex(s => s.TokenHash).IsUnique();
        // NULLs do not collide in a unique index (SQLite and PostgreSQL): one survey per meeting, one per task.
        builder.HasIndex(s => s.ReviewMeetingId).IsUnique();
        builder.HasIndex(s => s.AdvisorTaskId).IsUnique();
        builder.HasIndex(s => new { s.AdvisorId, s.SentAt });
        builder.HasOne<ReviewMeeting>().WithMany().HasForeignKey(s => s.ReviewMeetingId);
        builder.HasOne<AdvisorTask>().WithMany().HasForeignKey(s => s.AdvisorTaskId);
        builder.HasOne<Advisor>().WithMany().HasForeignKey(s => s.AdvisorId);
        builder.HasOne<Account>().WithMany().HasForeignKey(s => s.AccountId);
        builder.HasOne<Contact>().WithMany().HasForeignKey(s => s.ContactId);
    }
}

internal sealed class AdvisorFeedbackAnswerMapping : IEntityTypeConfiguration<AdvisorFeedbackAnswer>
{
    public void Configure(EntityTypeBuilder<AdvisorFeedbackAnswer> builder)
    {
        builder.Property(a => a.Source).HasMaxLength(16);
        builder.Property(a => a.Comment).HasMaxLength(1000);
        builder.HasIndex(a => a.SurveyId).IsUnique();
        builder.HasIndex(a => new { a.AccountId, a.GivenAt });
        builder.HasIndex(a => new { a.AdvisorId, a.GivenAt });
        builder.HasOne<FeedbackSurvey>().WithMany().HasForeignKey(a => a.SurveyId);
        builder.HasOne<Advisor>().WithMany().HasForeignKey(a => a.AdvisorId);
        builder.HasOne<Account>().WithMany().HasForeignKey(a => a.AccountId);
        builder.HasOne<Contact>().WithMany().HasForeignKey(a => a.ContactId);
    }
}
