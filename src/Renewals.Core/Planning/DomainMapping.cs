using NodaTime;
using Renewals.Data.Model;
using DomainPolicy = Renewals.Domain.Policies.RenewalPolicy;
using DomainPartnerContract = Renewals.Domain.Policies.PartnerContract;
using DomainSubscription = Renewals.Domain.Subscriptions.Subscription;

namespace Renewals.Core.Planning;

/// <summary>Turns stored rows into the domain's values, where the rules live.</summary>
public static class DomainMapping
{
    public static DomainPolicy ToDomain(RenewalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new DomainPolicy(policy.CheckInDays, ParseDays(policy.ReminderDays), policy.NoticeDays);
    }

    public static DomainPartnerContract? ToDomain(Data.Model.PartnerContract? contract, string partnerName) =>
        contract is null ? null : new DomainPartnerContract(partnerName, contract.NoticeDays, contract.CancellationFiledByPartnerOnly);

    public static DomainSubscription ToDomain(
        string customer, LocalDate start, int initialTermYears, DateTimeZone zone, Domain.Subscriptions.BillingMode billing,
        DomainPartnerContract? partner, bool isFirstInFamily) =>
        new(customer, start, initialTermYears, zone, billing, partner, isFirstInFamily);

    public static int[] ParseDays(string days) =>
        [.. days.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture))];

    public static string FormatDays(IEnumerable<int> days) => string.Join(",", days);
}
