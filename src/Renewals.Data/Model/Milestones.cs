using NodaTime;
using Renewals.Domain.Timeline;

namespace Renewals.Data.Model;

public enum MilestoneStatus
{
    Pending,
    Done,
    Skipped,
}

/// <summary>
/// A dated step of a term, stored as a row. Unique on (subscription, term, kind, variant):
/// the key that makes a second execution impossible.
/// </summary>
public sealed class Milestone
{
    public long Id { get; set; }

    public long SubscriptionId { get; set; }

    public int TermNumber { get; set; }

    public MilestoneKind Kind { get; set; }

    /// <summary>Days before renewal for a reminder, year for a yearly invoice, else 0.</summary>
    public int Variant { get; set; }

    /// <summary>The local date of the customer's zone it falls on.</summary>
    public LocalDate Date { get; set; }

    /// <summary>The start of <see cref="Date"/> in the customer's zone: when it falls due.</summary>
    public Instant DueAt { get; set; }

    public MilestoneStatus Status { get; set; }

    public bool RecommendedValidation { get; set; }

    public Instant? CompletedAt { get; set; }

    /// <summary>What happened, or why it was skipped, as a stable code (see MilestoneOutcomes).</summary>
    public string? Outcome { get; set; }
}
