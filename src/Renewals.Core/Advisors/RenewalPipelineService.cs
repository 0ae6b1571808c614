using NodaTime;
using Renewals.Core.Access;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Advisors;

/// <summary>An amount in one currency: amounts in different currencies are never added.</summary>
public sealed record MoneyAmount(string Currency, decimal Amount);

/// <summary>A renewal in the pipeline: the subscription, its renewal day and its renewal invoice's net.</summary>
public sealed record PipelineRenewal(long SubscriptionId, long AccountId, string Account, LocalDate RenewalDate, string Currency, decimal Amount, RiskFlags Risks);

/// <summary>One month of the pipeline (one bar of the chart) and the renewals behind it.</summary>
public sealed record PipelineMonth(
    YearMonth Month, int Count, IReadOnlyList<MoneyAmount> Amounts, int AtRiskCount, IReadOnlyList<MoneyAmount> AtRiskAmounts,
    IReadOnlyList<PipelineRenewal> Renewals);

/// <summary>
/// The renewals of the next 12 months, month by month: the current month (from today) and the
/// 11 after it. A renewal is an active subscription whose current term ends in the window;
/// one already ending after a notice on time is lost, not in the pipeline. Its amount is
/// the net of the invoice the anniversary issues: each line's yearly unit price times quantity.
/// </summary>
public sealed class RenewalPipelineService(RenewalsDbContext db, IClock clock, Invoicing.Seller seller)
{
    public const int Months = 12;

    public async Task<IReadOnlyList<PipelineMonth>> MonthsAsync(Actor actor, CancellationToken ct = default)
    {
        // Months are counted from today in UTC; each renewal's "not yet" is its account's own today.
        var first = clock.GetCurrentInstant().InUtc().Date.ToYearMonth();
        var months = Enumerable.Range(0, Months).Select(i => first.OnDayOfMonth(1).PlusMonths(i).ToYearMonth()).ToList();
        var end = first.OnDayOfMonth(1).PlusMonths(Months);
        var renewals = (await BookFacts.ReadAsync(db, clock, actor, null, seller, ct))
            .Where(f => f.Status == SubscriptionStatus.Active && f.RenewalDate >= f.Today && f.RenewalDate < end)
            .Select(f => new PipelineRenewal(f.SubscriptionId, f.AccountId, f.Account, f.RenewalDate, f.Currency, f.RenewalAmount, f.Risks))
            .OrderBy(r => r.RenewalDate).ThenBy(r => r.SubscriptionId)
            .ToLookup(r => r.RenewalDate.ToYearMonth());
        return [.. months.Select(m =>
        {
            var inMonth = renewals[m].ToList();
            var atRisk = inMonth.Where(r => r.Risks.Any).ToList();
            return new PipelineMonth(m, inMonth.Count, Sum(inMonth), atRisk.Count, Sum(atRisk), inMonth);
        })];
    }

    /// <summary>The list behind one bar; empty for a month outside the window.</summary>
    public async Task<IReadOnlyList<PipelineRenewal>> MonthAsync(Actor actor, YearMonth month, CancellationToken ct = default) =>
        (await MonthsAsync(actor, ct)).SingleOrDefault(m => m.Month == month)?.Renewals ?? [];

    private static List<MoneyAmount> Sum(IEnumerable<PipelineRenewal> renewals) =>
        [.. renewals.GroupBy(r => r.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new MoneyAmount(g.Key, g.Sum(r => r.Amount)))];
}
