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
        return new DomainPolicy(policy.CheckInDays, ParseDays(policy.ReminderDays), policy.NoticeDays, ParseDays(policy.RenewalYears ?? ""));
    }

    public static DomainPartnerContract? ToDomain(Data.Model.PartnerContract? contract, string partnerName) =>
        contract is null ? null : new DomainPartnerContract(partnerName, contract.NoticeDays, contract.CancellationFiledByPartnerOnly);

    public static DomainSubscription ToDomain(
        string customer, LocalDate start, int initialTermYears, DateTimeZone zone, Domain.Subscriptions.BillingMode billing,
        DomainPartnerContract? partner, bool isFirstInFamily, string? renewalLengths = null) =>
        new(customer, start, initialTermYears, zone, billing, partner, isFirstInFamily, ParseLengths(renewalLengths));

    /// <summary>"3:2,5:3" (term 3 lasts two years, term 5 three) as term number → years; empty for null.</summary>
    public static Dictionary<int, int> ParseLengths(string? lengths) =>
        (lengths ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split(':'))
            .ToDictionary(
                pair => int.Parse(pair[0], System.Globalization.CultureInfo.InvariantCulture),
                pair => int.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The stored form of a subscription's renewal lengths: null when every renewal lasts a year.</summary>
    public static string? FormatLengths(IReadOnlyDictionary<int, int> lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var pairs = lengths.Where(l => l.Value != 1).OrderBy(l => l.Key)
            .Select(l => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{l.Key}:{l.Value}")).ToList();
        return pairs.Count == 0 ? null : string.Join(",", pairs);
    }

    public static int[] ParseDays(string days) =>
        [.. days.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture))];

    public static string FormatDays(IEnumerable<int> days) => string.Join(",", days);
}
