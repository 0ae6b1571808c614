using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>
/// Someone asked to be called back, from the web account or the public page. The account and
/// contact are known when signed in, or when the public email matches exactly one contact; the
/// callback task it created (the advisor's, or the unassigned queue's) carries it from there.
/// </summary>
public sealed class CallbackRequest
{
    public long Id { get; set; }

    public Instant ReceivedAt { get; set; }

    /// <summary>"portal" (signed in) or "public".</summary>
    public required string Source { get; set; }

    public long? AccountId { get; set; }

    public long? ContactId { get; set; }

    public long AdvisorTaskId { get; set; }

    public required string Name { get; set; }

    public required string Company { get; set; }

    public required string Email { get; set; }

    public required string Phone { get; set; }

    public required string Subject { get; set; }

    /// <summary>morning, afternoon or any: when the requester prefers to be called.</summary>
    public required string PreferredWindow { get; set; }

    /// <summary>"fr" or "en": the language of the page the request came from; the acknowledgement is written in it.</summary>
    public required string Language { get; set; }

    /// <summary>IANA id of the zone the due moment was worked out in.</summary>
    public required string TimeZoneId { get; set; }

    public Instant DueAt { get; set; }
}

internal sealed class CallbackRequestMapping : IEntityTypeConfiguration<CallbackRequest>
{
    public void Configure(EntityTypeBuilder<CallbackRequest> builder)
    {
        builder.Property(r => r.Source).HasMaxLength(16);
        builder.Property(r => r.Name).HasMaxLength(200);
        builder.Property(r => r.Company).HasMaxLength(200);
        builder.Property(r => r.Email).HasMaxLength(320);
        builder.Property(r => r.Phone).HasMaxLength(40);
        builder.Property(r => r.Subject).HasMaxLength(1000);
        builder.Property(r => r.PreferredWindow).HasMaxLength(16);
        builder.Property(r => r.Language).HasMaxLength(2);
        builder.Property(r => r.TimeZoneId).HasMaxLength(64);
        builder.HasIndex(r => r.AdvisorTaskId).IsUnique();
        builder.HasIndex(r => r.AccountId);
        builder.HasOne<AdvisorTask>().WithMany().HasForeignKey(r => r.AdvisorTaskId);
        builder.HasOne<Account>().WithMany().HasForeignKey(r => r.AccountId);
        builder.HasOne<Contact>().WithMany().HasForeignKey(r => r.ContactId);
    }
}
