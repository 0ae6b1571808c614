using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>
/// One saved version of one part of a message template in one language, as an administrator
/// wrote it. Versions are never changed or deleted: the current one is the highest number
/// (a restore saves a copy of an earlier body as a new number). A part with no row is the
/// template shipped with Renewals.
/// </summary>
public sealed class MessageTemplateVersion
{
    public long Id { get; set; }

    /// <summary>The kind of message (the outbox's template name), or "_layout" for the HTML around every message.</summary>
    public required string Kind { get; set; }

    public required string Language { get; set; }

    /// <summary>"subject", "html" or "text".</summary>
    public required string Part { get; set; }

    /// <summary>1, 2, 3... within the kind, language and part.</summary>
    public int Number { get; set; }

    public required string Body { get; set; }

    public Instant SavedAt { get; set; }

    /// <summary>The actor as the audit trail names it ("admin:alice").</summary>
    public required string SavedBy { get; set; }

    /// <summary>The version this one copies, when it was saved by a restore.</summary>
    public int? RestoredFrom { get; set; }
}

public sealed class MessageTemplateVersionConfiguration : IEntityTypeConfiguration<MessageTemplateVersion>
{
    public void Configure(EntityTypeBuilder<MessageTemplateVersion> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable("message_template_versions");
        builder.Property(v => v.Kind).HasMaxLength(64);
        builder.Property(v => v.Language).HasMaxLength(2);
        builder.Property(v => v.Part).HasMaxLength(16);
        builder.Property(v => v.SavedBy).HasMaxLength(100);
        // Two saves racing for the same number: one of them fails rather than both winning.
        builder.HasIndex(v => new { v.Kind, v.Language, v.Part, v.Number }).IsUnique();
    }
}
