using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Renewals.Domain.Timeline;

namespace Renewals.Data.Model;

/// <summary>
/// A pending milestone, in the narrow table the engine claims from (issue 15). Every writer that
/// stores a pending milestone stores its entry in the same transaction, and the transaction that
/// carries the milestone out (or skips it) deletes the entry with the milestone's new status.
/// <c>status</c> is then in no index of <c>milestones</c>, so on PostgreSQL the status change is a
/// HOT update that writes no index entry; the claim's indexes hold pending milestones only and
/// lose an entry by a delete, not by a new row version.
/// </summary>
public sealed class MilestoneQueueEntry
{
    public long MilestoneId { get; set; }

    public Milestone? Milestone { get; set; }

    public long SubscriptionId { get; set; }

    /// <summary>A copy of the milestone's <see cref="Model.Milestone.DueAt"/>, kept with it (replanning moves both).</summary>
    public Instant DueAt { get; set; }

    /// <summary>A copy of the milestone's kind: the claim orders steps due at the same instant by it.</summary>
    public MilestoneKind Kind { get; set; }

    /// <summary>The entry of a milestone the EF writers add (the id is set when both are saved).</summary>
    public static MilestoneQueueEntry For(Milestone milestone)
    {
        ArgumentNullException.ThrowIfNull(milestone);
        return new MilestoneQueueEntry
        {
            Milestone = milestone,
            SubscriptionId = milestone.SubscriptionId,
            DueAt = milestone.DueAt,
            Kind = milestone.Kind,
        };
    }
}

public sealed class MilestoneQueueEntryConfiguration : IEntityTypeConfiguration<MilestoneQueueEntry>
{
    public void Configure(EntityTypeBuilder<MilestoneQueueEntry> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable("milestone_queue");
        builder.HasKey(q => q.MilestoneId);
        builder.Property(q => q.MilestoneId).ValueGeneratedNever();
        // A milestone deleted with its subscription leaves the queue with it.
        builder.HasOne(q => q.Milestone).WithOne().HasForeignKey<MilestoneQueueEntry>(q => q.MilestoneId).OnDelete(DeleteBehavior.Cascade);
        // The claim: pending milestones by the instant they fall due.
        builder.HasIndex(q => new { q.DueAt, q.MilestoneId });
        // The claim's "no earlier pending step of the same subscription" probe.
        builder.HasIndex(q => new { q.SubscriptionId, q.DueAt });
    }
}
