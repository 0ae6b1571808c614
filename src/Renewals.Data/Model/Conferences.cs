using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Renewals.Data.Model;

/// <summary>
/// A user conference: where and when customers meet their advisor (the yearly one is in June).
/// Its dates and every meeting slot are local to <see cref="TimeZoneId"/>, the venue's zone.
/// </summary>
public sealed class ConferenceEvent
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required string City { get; set; }

    public required string VenueName { get; set; }

    /// <summary>The venue's postal address, one line per line of text.</summary>
    public required string VenueAddress { get; set; }

    /// <summary>IANA id of the venue's zone.</summary>
    public required string TimeZoneId { get; set; }

    public LocalDate StartsOn { get; set; }

    /// <summary>The last day of the event, included.</summary>
    public LocalDate EndsOn { get; set; }

    public Instant CreatedAt { get; set; }

    public Instant UpdatedAt { get; set; }
}

/// <summary>An event's invitation sent to one contact: at most one per (event, contact), whoever sends and however often.</summary>
public sealed class ConferenceInvitation
{
    public long Id { get; set; }

    public long EventId { get; set; }

    public long AccountId { get; set; }

    public long ContactId { get; set; }

    /// <summary>"fr" or "en": the contact's language when the invitation went out.</summary>
    public required string Language { get; set; }

    public Instant SentAt { get; set; }
}

/// <summary>A time an advisor offers to meet customers at an event, local to the event's zone.</summary>
public sealed class ConferenceSlot
{
    public long Id { get; set; }

    public long EventId { get; set; }

    public long AdvisorId { get; set; }

    public LocalDateTime Start { get; set; }

    public int DurationMinutes { get; set; }

    public Instant CreatedAt { get; set; }
}

public enum ConferenceMeetingStatus
{
    /// <summary>The customer asked; the advisor has not answered.</summary>
    Requested,

    /// <summary>The advisor confirmed: the contact has the invitation (.ics).</summary>
    Confirmed,

    /// <summary>The advisor declined: the slot is free again.</summary>
    Declined,
}

/// <summary>
/// A customer's request for a meeting with its advisor in one of the advisor's slots, and its
/// answer. <see cref="HeldSlotId"/> is the slot while the request stands (requested or
/// confirmed) and null once declined: unique, so a slot is held by one request at most, even
/// when two customers ask at the same moment.
/// </summary>
public sealed class ConferenceMeeting
{
    public long Id { get; set; }

    public long EventId { get; set; }

    public long SlotId { get; set; }

    public long? HeldSlotId { get; set; }

    public long AdvisorId { get; set; }

    public long AccountId { get; set; }

    /// <summary>Who attends for the customer and receives the invitation.</summary>
    public long ContactId { get; set; }

    public ConferenceMeetingStatus Status { get; set; }

    /// <summary>The calendar UID, stable for the meeting's life.</summary>
    public required string Uid { get; set; }

    public Instant RequestedAt { get; set; }

    public Instant? AnsweredAt { get; set; }
}

internal sealed class ConferenceEventMapping : IEntityTypeConfiguration<ConferenceEvent>
{
    public void Configure(EntityTypeBuilder<ConferenceEvent> builder)
    {
        builder.Property(e => e.Name).HasMaxLength(200);
        builder.Property(e => e.City).HasMaxLength(100);
        builder.Property(e => e.VenueName).HasMaxLength(200);
        builder.Property(e => e.VenueAddress).HasMaxLength(500);
        builder.Property(e => e.TimeZoneId).HasMaxLength(64);
        builder.HasIndex(e => e.StartsOn);
    }
}

internal sealed class ConferenceInvitationMapping : IEntityTypeConfiguration<ConferenceInvitation>
{
    public void Configure(EntityTypeBuilder<ConferenceInvitation> builder)
    {
        builder.Property(i => i.Language).HasMaxLength(2);
        builder.HasIndex(i => new { i.EventId, i.ContactId }).IsUnique();
        builder.HasIndex(i => new { i.EventId, i.AccountId });
        builder.HasOne<ConferenceEvent>().WithMany().HasForeignKey(i => i.EventId);
        builder.HasOne<Account>().WithMany().HasForeignKey(i => i.AccountId);
        builder.HasOne<Contact>().WithMany().HasForeignKey(i => i.ContactId);
    }
}

internal sealed class ConferenceSlotMapping : IEntityTypeConfiguration<ConferenceSlot>
{
    public void Configure(EntityTypeBuilder<ConferenceSlot> builder)
    {
        builder.HasIndex(s => new { s.EventId, s.AdvisorId, s.Start }).IsUnique();
        builder.HasOne<ConferenceEvent>().WithMany().HasForeignKey(s => s.EventId);
        builder.HasOne<Advisor>().WithMany().HasForeignKey(s => s.AdvisorId);
    }
}

internal sealed class ConferenceMeetingMapping : IEntityTypeConfiguration<ConferenceMeeting>
{
    public void Configure(EntityTypeBuilder<ConferenceMeeting> builder)
    {
        builder.Property(m => m.Uid).HasMaxLength(100);
        builder.HasIndex(m => m.HeldSlotId).IsUnique();
        builder.HasIndex(m => m.Uid).IsUnique();
        builder.HasIndex(m => new { m.EventId, m.AdvisorId });
        builder.HasIndex(m => new { m.EventId, m.AccountId });
        builder.HasOne<ConferenceEvent>().WithMany().HasForeignKey(m => m.EventId);
        builder.HasOne<ConferenceSlot>().WithMany().HasForeignKey(m => m.SlotId);
        builder.HasOne<ConferenceSlot>().WithMany().HasForeignKey(m => m.HeldSlotId);
        builder.HasOne<Advisor>().WithMany().HasForeignKey(m => m.AdvisorId);
        builder.HasOne<Account>().WithMany().HasForeignKey(m => m.AccountId);
        builder.HasOne<Contact>().WithMany().HasForeignKey(m => m.ContactId);
    }
}
