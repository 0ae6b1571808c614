using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>
/// A key an integrator's system sends as <c>Authorization: Bearer</c> to /api/v1. Only the
/// SHA-256 of the key is stored: the key itself is shown once, when it is made.
/// </summary>
public sealed class ApiKey
{
    public long Id { get; set; }

    /// <summary>What the key is for, as the admin named it ("ERP", "CRM sync").</summary>
    public required string Name { get; set; }

    /// <summary>The first characters of the key, so an admin can tell keys apart without the secret.</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the whole key, as 64 lowercase hex digits.</summary>
    public required string KeyHash { get; set; }

    /// <summary>The partner whose customers the key reaches; null for a key that reaches the whole system (admin).</summary>
    public long? PartnerId { get; set; }

    public required string CreatedBy { get; set; }

    public Instant CreatedAt { get; set; }

    public Instant? RevokedAt { get; set; }

    public Instant? LastUsedAt { get; set; }
}

/// <summary>
/// The first answer to a POST sent with an <c>Idempotency-Key</c>: the same key from the same
/// caller with the same body gets this answer again; with another body, a refusal.
/// </summary>
public sealed class IdempotencyRecord
{
    public long Id { get; set; }

    /// <summary>The caller: "apikey:ID".</summary>
    public required string Caller { get; set; }

    public required string Key { get; set; }

    /// <summary>SHA-256 of method, path and body: tells a replay from another request under the same key.</summary>
    public required string RequestHash { get; set; }

    public int StatusCode { get; set; }

    public string? ContentType { get; set; }

    public string? Location { get; set; }

    public required byte[] Body { get; set; }

    public Instant CreatedAt { get; set; }

    /// <summary>After this the key may be used again for something else.</summary>
    public Instant ExpiresAt { get; set; }
}

public sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.KeyHash).HasMaxLength(64);
        builder.Property(k => k.CreatedBy).HasMaxLength(200);
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.HasOne<Partner>().WithMany().HasForeignKey(k => k.PartnerId);
    }
}

public sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.Property(r => r.Caller).HasMaxLength(64);
        builder.Property(r => r.Key).HasMaxLength(255);
        builder.Property(r => r.RequestHash).HasMaxLength(64);
        builder.Property(r => r.ContentType).HasMaxLength(200);
        builder.Property(r => r.Location).HasMaxLength(500);
        // One answer per caller and key: two concurrent firsts cannot both be stored.
        builder.HasIndex(r => new { r.Caller, r.Key }).IsUnique();
        builder.HasIndex(r => r.ExpiresAt);
    }
}
