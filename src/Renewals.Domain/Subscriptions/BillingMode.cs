namespace Renewals.Domain.Subscriptions;

/// <summary>How a multi-year term is invoiced.</summary>
public enum BillingMode
{
    /// <summary>An invoice on day 1 and on each anniversary of the start.</summary>
    Yearly,

    /// <summary>One invoice on day 1 for the whole term.</summary>
    Upfront,
}
