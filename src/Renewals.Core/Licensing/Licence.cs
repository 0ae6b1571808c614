using NodaTime;

namespace Renewals.Core.Licensing;

/// <summary>One licensed product of a licence file.</summary>
public sealed record LicenceProduct(string Code, string Name, int Quantity);

/// <summary>
/// What a licence file states: who may use which products, how many, and when. Dates are the
/// customer's calendar dates in <see cref="TimeZoneId"/>; <see cref="ValidUntil"/> is exclusive,
/// like the entitlement it comes from.
/// </summary>
public sealed record Licence(
    string LicenceId,
    Instant IssuedAt,
    long CustomerId,
    string CustomerName,
    long SubscriptionId,
    int TermNumber,
    string TimeZoneId,
    LocalDate ValidFrom,
    LocalDate ValidUntil,
    IReadOnlyList<LicenceProduct> Products,
    string SigningKey)
{
    /// <summary>The last day the licence may be used (the day before the exclusive end).</summary>
    public LocalDate LastValidDay => ValidUntil.PlusDays(-1);

    public bool IsValidOn(LocalDate date) => date >= ValidFrom && date < ValidUntil;
}
