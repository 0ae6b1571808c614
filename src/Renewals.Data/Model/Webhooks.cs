using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>
/// A receiver of webhooks (Standard Webhooks): a URL, the secret its deliveries are signed
/// with, and the event types it hears. Added and removed by an admin.
/// </summary>
public sealed class WebhookEndpoint
{
    public long Id { get; set; }

    public required string Url { get; set; }

    /// <summary>whsec_ followed by the base64 key; kept as is because every delivery is signed with it.</summary>
    public required string Secret { get; set; }

    /// <summary>The event types it hears, comma-separated (see Core's WebhookEventTypes).</summary>
    public required string EventTypes { get; set; }

    public bool Enabled { get; set; }

    public Instant CreatedAt { get; set; }
}

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,

    /// <summary>Every attempt failed: stays visible; an admin can replay it.</summary>
    Failed,
}

/// <summary>
/// One event for one endpoint, written in the transaction of what it reports (the delivery
/// outbox); delivered at least once with the same <see cref="WebhookId"/>.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }

    public long EndpointId { get; set; }

    /// <summary>The webhook-id header: stable across retries and replays, so a receiver can drop a duplicate.</summary>
    public required string WebhookId { get; set; }

    public required string EventType { get; set; }

    /// <summary>The JSON body sent, fixed when the event happened.</summary>
    public required string Payload { get; set; }

    public WebhookDeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public Instant CreatedAt { get; set; }

    public Instant NextAttemptAt { get; set; }

    public Instant? DeliveredAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>One try at a delivery: what the receiver answered, or why there was no answer.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }

    public long DeliveryId { get; set; }

    public Instant At { get; set; }

    public int? StatusCode { get; set; }

    public string? ResponseExcerpt { get; set; }

    public string? Error { get; set; }

    public long DurationMs { get; set; }

    /// <summary>Asked for by an admin rather than made by the schedule.</summary>
    public bool IsReplay { get; set; }
}

/// <summary>
/// The secret address of a calendar feed: a customer contact's or an advisor's (one of the
/// two ids is set). Only the token's SHA-256 is kept; renewing it replaces the hash, so the
/// old address stops answering.
/// </summary>
public sealed class CalendarFeed
{
    public long Id { get; set; }

    public long? ContactId { get; set; }

    public long? AdvisorId { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string TokenHash { get; set; }

    public Instant IssuedAt { get; set; }
}

internal sealed class WebhookEndpointMapping : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> e)
    {
        e.ToTable("webhook_endpoints");
        e.Property(x => x.Url).HasMaxLength(2000);
        e.Property(x => x.Secret).HasMaxLength(200);
        e.Property(x => x.EventTypes).HasMaxLength(1000);
    }
}

internal sealed class WebhookDeliveryMapping : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> e)
    {
        e.ToTable("webhook_deliveries");
        e.Property(x => x.WebhookId).HasMaxLength(200);
        e.Property(x => x.EventType).HasMaxLength(64);
        e.Property(x => x.LastError).HasMaxLength(2000);
        e.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
        // One delivery of an event to an endpoint, whichever path wrote it.
        e.HasIndex(x => new { x.EndpointId, x.WebhookId }).IsUnique();
        e.HasIndex(x => new { x.Status, x.NextAttemptAt });
    }
}

internal sealed class WebhookAttemptMapping : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> e)
    {
        e.ToTable("webhook_attempts");
        e.Property(x => x.ResponseExcerpt).HasMaxLength(500);
        e.Property(x => x.Error).HasMaxLength(500);
        e.HasOne<WebhookDelivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.DeliveryId);
    }
}

internal sealed class CalendarFeedMapping : IEntityTypeConfiguration<CalendarFeed>
{
    public void Configure(EntityTypeBuilder<CalendarFeed> e)
    {
        e.ToTable("calendar_feeds");
        e.Property(x => x.TokenHash).HasMaxLength(64);
        e.HasIndex(x => x.TokenHash).IsUnique();
        e.HasIndex(x => x.ContactId).IsUnique();
        e.HasIndex(x => x.AdvisorId).IsUnique();
        e.HasOne<Contact>().WithMany().HasForeignKey(x => x.ContactId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Advisor>().WithMany().HasForeignKey(x => x.AdvisorId).OnDelete(DeleteBehavior.Cascade);
    }
}
