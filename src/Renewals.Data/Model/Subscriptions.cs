using NodaTime;
using Renewals.Domain.Subscriptions;

namespace Renewals.Data.Model;

public enum SubscriptionStatus
{
    /// <summary>Renews at its next anniversary.</summary>
    Active,

    /// <summary>A written notice on time: ends at the current term's end.</summary>
    Ending,

    /// <summary>Ended by a cancellation; no more milestones.</summary>
    Ended,
}

/// <summary>How licences reach the customer at each anniversary.</summary>
public enum LicenceDelivery
{
    /// <summary>The entitlement is extended in place.</summary>
    ExtendAutomatically,

    /// <summary>A new licence file is made available in the web account.</summary>
    AvailableInWebAccount,
}

public sealed class Subscription
{
    public long Id { get; set; }

    public long AccountId { get; set; }

    public Account? Account { get; set; }

    public long PolicyId { get; set; }

    public RenewalPolicy? Policy { get; set; }

    /// <summary>The partner contract whose cancellation rights apply; null when bought directly.</summary>
    public long? PartnerContractId { get; set; }

    public PartnerContract? PartnerContract { get; set; }

    public LocalDate Start { get; set; }

    public int InitialTermYears { get; set; }

    public BillingMode Billing { get; set; }

    public LicenceDelivery LicenceDelivery { get; set; }

    /// <summary>No earlier subscription in the product family: the check-in is a recommended validation.</summary>
    public bool IsFirstInProductFamily { get; set; } = true;

    /// <summary>
    /// The products and product families this sale brought the customer for the first time,
    /// as the advisor's check-in task names them; null when it brought nothing new.
    /// </summary>
    public string? NewToCustomer { get; set; }

    public SubscriptionStatus Status { get; set; }

    /// <summary>
    /// The renewal terms that do not last one year, as "term:years" pairs, comma-separated, such
    /// as "3:2" (set when an amendment choosing that length is confirmed); null when every renewal lasts a year.
    /// </summary>
    public string? RenewalLengths { get; set; }

    public int CurrentTermNumber { get; set; } = 1;

    /// <summary>The date it ends, once a cancellation took effect or is certain.</summary>
    public LocalDate? EndsOn { get; set; }

    public Instant CreatedAt { get; set; }

    public List<SubscriptionLine> Lines { get; } = [];

    public List<Term> Terms { get; } = [];
}

public sealed class SubscriptionLine
{
    public long Id { get; set; }

    public long SubscriptionId { get; set; }

    public long ProductId { get; set; }

    public Product? Product { get; set; }

    public int Quantity { get; set; }

    /// <summary>Price of one unit for 12 months.</summary>
    public decimal YearlyUnitPrice { get; set; }

    /// <summary>ISO 4217 code, such as EUR.</summary>
    public required string Currency { get; set; }
}

/// <summary>A stored term [Start, End); only the current and past terms exist.</summary>
public sealed class Term
{
    public long Id { get; set; }

    public long SubscriptionId { get; set; }

    public int Number { get; set; }

    public LocalDate Start { get; set; }

    public LocalDate End { get; set; }

    /// <summary>Set by the cancellation deadline: from then on the term's outcome is certain.</summary>
    public bool IsLocked { get; set; }
}
