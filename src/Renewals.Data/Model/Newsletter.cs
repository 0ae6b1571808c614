using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>
/// A contact said yes or no to the monthly newsletter. Nothing is ever updated: each change is a
/// new row, and the contact's current choice is its latest row (none: not subscribed, it is opt-in).
/// </summary>
public sealed class NewsletterConsent
{
    public long Id { get; set; }

    public long ContactId { get; set; }

    public bool Subscribed { get; set; }

    public Instant At { get; set; }

    /// <summary>Where the change came from: portal, unsubscribe-link, one-click, admin or import.</summary>
    public required string Source { get; set; }

    /// <summary>Who made it, as the audit trail names them (the web user, "public" for a link, the admin).</summary>
    public required string Actor { get; set; }
}

/// <summary>An issue of the newsletter: one Markdown text and subject per language, sent at <see cref="ScheduledAt"/>.</summary>
public sealed class NewsletterIssue
{
    public long Id { get; set; }

    public required string SubjectEn { get; set; }

    public required string SubjectFr { get; set; }

    public required string MarkdownEn { get; set; }

    public required string MarkdownFr { get; set; }

    /// <summary>When it goes out; null while it is a draft.</summary>
    public Instant? ScheduledAt { get; set; }

    /// <summary>When its messages were written to the outbox; after that it no longer changes.</summary>
    public Instant? QueuedAt { get; set; }

    public Instant CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public Instant UpdatedAt { get; set; }
}

/// <summary>
/// An issue written to the outbox for one contact: at most one per issue and contact (a unique
/// key), with the random token of its unsubscribe link.
/// </summary>
public sealed class NewsletterDelivery
{
    public long Id { get; set; }

    public long IssueId { get; set; }

    public long ContactId { get; set; }

    public long OutboxMessageId { get; set; }

    /// <summary>"fr" or "en": the language it was written in.</summary>
    public required string Language { get; set; }

    /// <summary>The unsubscribe link's secret: 32 random bytes, base64url. It names the contact without sign-in.</summary>
    public required string Token { get; set; }

    public Instant QueuedAt { get; set; }
}

internal sealed class NewsletterConsentMapping : IEntityTypeConfiguration<NewsletterConsent>
{
    public void Configure(EntityTypeBuilder<NewsletterConsent> builder)
    {
        builder.Property(c => c.Source).HasMaxLength(16);
        builder.Property(c => c.Actor).HasMaxLength(256);
        builder.HasIndex(c => new { c.ContactId, c.Id });
        builder.HasOne<Contact>().WithMany().HasForeignKey(c => c.ContactId);
    }
}

internal sealed class NewsletterIssueMapping : IEntityTypeConfiguration<NewsletterIssue>
{
    public void Configure(EntityTypeBuilder<NewsletterIssue> builder)
    {
        builder.Property(i => i.SubjectEn).HasMaxLength(200);
        builder.Property(i => i.SubjectFr).HasMaxLength(200);
        builder.Property(i => i.MarkdownEn).HasMaxLength(20000);
        builder.Property(i => i.MarkdownFr).HasMaxLength(20000);
        builder.Property(i => i.CreatedBy).HasMaxLength(256);
        builder.HasIndex(i => i.ScheduledAt);
    }
}

internal sealed class NewsletterDeliveryMapping : IEntityTypeConfiguration<NewsletterDelivery>
{
    public void Configure(EntityTypeBuilder<NewsletterDelivery> builder)
    {
        builder.Property(d => d.Language).HasMaxLength(2);
        builder.Property(d => d.Token).HasMaxLength(64);
        builder.HasIndex(d => new { d.IssueId, d.ContactId }).IsUnique();
        builder.HasIndex(d => d.Token).IsUnique();
        builder.HasIndex(d => d.ContactId);
        builder.HasOne<NewsletterIssue>().WithMany().HasForeignKey(d => d.IssueId);
        builder.HasOne<Contact>().WithMany().HasForeignKey(d => d.ContactId);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(d => d.OutboxMessageId);
    }
}
