using NodaTime;
using Renewals.Data.Model;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Engine;

/// <summary>A due milestone the engine holds in its transaction, with what it needs of its subscription and account.</summary>
internal sealed record ClaimedMilestone(
    long Id,
    long SubscriptionId,
    int TermNumber,
    MilestoneKind Kind,
    int Variant,
    LocalDate Date,
    long AccountId,
    long PolicyId,
    long? PartnerContractId,
    LocalDate Start,
    int InitialTermYears,
    BillingMode Billing,
    LicenceDelivery LicenceDelivery,
    bool IsFirstInProductFamily,
    SubscriptionStatus Status,
    int CurrentTermNumber,
    string TimeZoneId,
    string AccountName,
    bool RequiresPurchaseOrder,
    decimal VatRate,
    long? AdvisorId,
    bool RecommendedValidation,
    string? NewToCustomer = null,
    string? RenewalLengths = null);

internal sealed record ContactRow(long Id, long AccountId, string Name, string Email, ContactRole Role, string Language);

internal sealed record LineRow(long SubscriptionId, long ProductId, int Quantity, decimal YearlyUnitPrice, string Currency);

/// <summary>A confirmed amendment's line: what the anniversary of <paramref name="TermNumber"/>'s start renews instead of the subscription's lines.</summary>
internal sealed record AmendedLineRow(long AmendmentId, long SubscriptionId, int TermNumber, long ProductId, int Quantity, decimal NetYearlyUnitPrice, string Currency);

internal sealed record NoticeRow(long SubscriptionId, int ReceivedInTerm, bool IsOnTime, LocalDate EffectiveEndDate);

internal sealed record PurchaseOrderRow(long Id, long AccountId, long? SubscriptionId, string Number, LocalDate? ValidFrom, LocalDate? ValidUntil, Instant RegisteredAt);

/// <summary>What one run of the engine did.</summary>
public sealed record EngineRunResult(int Batches, int Done, int Skipped, IReadOnlyDictionary<string, int> ByOutcome)
{
    public int Executed => Done + Skipped;
}
