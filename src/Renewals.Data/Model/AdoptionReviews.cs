using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>
/// What came of a review meeting, recorded once by the advisor: held or not, and when held the
/// adoption review (which tools and resources the customer uses, which it knows, the next steps).
/// </summary>
public sealed class AdoptionReview
{
    public long Id { get; set; }

    public long MeetingId { get; set; }

    /// <summary>The meeting's account, copied so the account's history reads one table.</summary>
    public long AccountId { get; set; }

    public bool Held { get; set; }

    public Instant RecordedAt { get; set; }

    /// <summary>The actor's audit name (advisor:7, admin:...).</summary>
    public required string RecordedBy { get; set; }

    /// <summary>The tools and resources the customer uses.</summary>
    public string? ToolsUsed { get; set; }

    /// <summary>The tools and resources the customer knows of (used or not).</summary>
    public string? ResourcesKnown { get; set; }

    public string? NextSteps { get; set; }

    /// <summary>The catalog's products and families the review went through.</summary>
    public List<AdoptionReviewTopic> Topics { get; } = [];
}

/// <summary>One product or one product family the adoption review went through (exactly one of the two is set).</summary>
public sealed class AdoptionReviewTopic
{
    public long Id { get; set; }

    public long AdoptionReviewId { get; set; }

    public long? ProductId { get; set; }

    public long? ProductFamilyId { get; set; }
}

internal sealed class AdoptionReviewMapping : IEntityTypeConfiguration<AdoptionReview>
{
    public void Configure(EntityTypeBuilder<AdoptionReview> builder)
    {
        builder.Property(r => r.RecordedBy).HasMaxLength(100);
        builder.Property(r => r.ToolsUsed).HasMaxLength(2000);
        builder.Property(r => r.ResourcesKnown).HasMaxLength(2000);
        builder.Property(r => r.NextSteps).HasMaxLength(2000);
        // One outcome per meeting: a second recording is refused by the database too.
        builder.HasIndex(r => r.MeetingId).IsUnique();
        builder.HasIndex(r => r.AccountId);
        builder.HasOne<ReviewMeeting>().WithMany().HasForeignKey(r => r.MeetingId);
        builder.HasOne<Account>().WithMany().HasForeignKey(r => r.AccountId);
        builder.HasMany(r => r.Topics).WithOne().HasForeignKey(t => t.AdoptionReviewId);
    }
}

internal sealed class AdoptionReviewTopicMapping : IEntityTypeConfiguration<AdoptionReviewTopic>
{
    public void Configure(EntityTypeBuilder<AdoptionReviewTopic> builder)
    {
        builder.HasIndex(t => t.AdoptionReviewId);
        builder.HasOne<Product>().WithMany().HasForeignKey(t => t.ProductId);
        builder.HasOne<ProductFamily>().WithMany().HasForeignKey(t => t.ProductFamilyId);
    }
}
