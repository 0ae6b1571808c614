using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Catalog;
using Renewals.Core.Partners;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Timeline;
using Milestone = Renewals.Domain.Timeline.Milestone;
using DomainPolicy = Renewals.Domain.Policies.RenewalPolicy;
using DomainSubscription = Renewals.Domain.Subscriptions.Subscription;

namespace Renewals.Core.Administration;

/// <summary>What an administrator may change on a product: everything but its code, which invoices and imports name it by.</summary>
public sealed record ProductChange(string Name, string Family, decimal? YearlyUnitPrice, string? Currency);

/// <summary>A stored renewal policy and how many subscriptions follow it.</summary>
public sealed record PolicyView(long Id, string Name, int CheckInDays, IReadOnlyList<int> ReminderDays, int NoticeDays, int Subscriptions, IReadOnlyList<int>? RenewalYears = null)
{
    /// <summary>The renewal lengths, in years, an amendment may choose under this policy (1 always).</summary>
    public IReadOnlyList<int> RenewalYearsAllowed => RenewalYears ?? [1];
}

/// <param name="RenewalYears">The renewal lengths allowed, in whole years; null keeps those stored.</param>
public sealed record PolicyChange(int CheckInDays, IReadOnlyList<int> ReminderDays, int NoticeDays, IReadOnlyList<int>? RenewalYears = null);

/// <summary>One key date of the sample term under the policy as stored and as proposed (null where the step does not exist).</summary>
public sealed record PolicyPreviewLine(string Key, Milestone? Current, Milestone? Proposed)
{
    public bool Moves => Current?.Date != Proposed?.Date;
}

/// <summary>
/// The administrators' edits of what already exists: products, renewal policies and partner
/// contracts. Each is checked by the same rules as its creation and leaves an audit row. An
/// edited policy or contract applies to the milestones planned after it (the next terms);
/// milestones already planned keep their dates.
/// </summary>
public sealed class AdministrationEditService(RenewalsDbContext db, IClock clock)
{
    /// <summary>The sample subscription of a preview is direct, in the vendor's zone, for one year, first in its family.</summary>
    public const string SampleZone = "Europe/Paris";

    public async Task<ProductView> UpdateProductAsync(Actor actor, long productId, ProductChange change, CancellationToken ct = default)
    {
        Require(actor);
        ArgumentNullException.ThrowIfNull(change);
        var product = await db.Products.Include(p => p.Family).SingleOrDefaultAsync(p => p.Id == productId, ct)
            ?? throw new DomainException(DomainErrors.ProductUnknown, productId);
        Names.MustBeGiven(change.Name, DomainErrors.ProductNameRequired);

        if (string.IsNullOrWhiteSpace(change.Family))
        {
            throw new DomainException(DomainErrors.ProductFamilyRequired);
        }

        var currency = string.IsNullOrWhiteSpace(change.Currency) ? null : change.Currency.Trim();
        // The same rules as a new product's (ProductService): a price needs its currency and the reverse.
        if (change.YearlyUnitPrice is < 0)
        {
            throw new DomainException(DomainErrors.LinePrice, change.YearlyUnitPrice);
        }

        if ((change.YearlyUnitPrice is null) != (currency is null))
        {
            throw new DomainException(DomainErrors.LineCurrency, currency ?? "");
        }

        if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetter)))
        {
            throw new DomainException(DomainErrors.LineCurrency, currency);
        }

        if (currency is not null && !Domain.Invoicing.Currencies.IsKnown(currency))
        {
            throw new DomainException(DomainErrors.CurrencyUnknown, currency);
        }

        var familyName = change.Family.Trim();
        var family = await db.ProductFamilies.SingleOrDefaultAsync(f => f.Name == familyName, ct);
        if (family is null)
        {
            family = new ProductFamily { Name = familyName };
            db.ProductFamilies.Add(family);
        }

        var before = Describe(product.Name, product.Family!.Name, product.YearlyUnitPrice, product.Currency);
        product.Name = change.Name.Trim();
        product.Family = family;
        product.YearlyUnitPrice = change.YearlyUnitPrice;
        product.Currency = currency?.ToUpperInvariant();
        var after = Describe(product.Name, familyName, product.YearlyUnitPrice, product.Currency);
        db.Audit.Add(Entry(actor, "product.changed", AuditEntities.Product, product.Id, $"{product.Code}: {before} -> {after}"));
        await db.SaveChangesAsync(ct);
        return new ProductView(product.Id, product.Code, product.Name, familyName, product.YearlyUnitPrice, product.Currency);
    }

    public async Task<ProductView> ProductAsync(Actor actor, long productId, CancellationToken ct = default)
    {
        Require(actor);
        return await db.Products.AsNoTracking().Where(p => p.Id == productId)
            .Select(p => new ProductView(p.Id, p.Code, p.Name, p.Family!.Name, p.YearlyUnitPrice, p.Currency)).SingleOrDefaultAsync(ct)
            ?? throw new DomainException(DomainErrors.ProductUnknown, productId);
    }

    public async Task<IReadOnlyList<PolicyView>> PoliciesAsync(Actor actor, CancellationToken ct = default)
    {
        Require(actor);
        var rows = await db.Policies.AsNoTracking().OrderBy(p => p.Id)
            .Select(p => new { p.Id, p.Name, p.CheckInDays, p.ReminderDays, p.NoticeDays, p.RenewalYears, Subscriptions = db.Subscriptions.Count(s => s.PolicyId == p.Id) })
            .ToListAsync(ct);
        return [.. rows.Select(p => new PolicyView(p.Id, p.Name, p.CheckInDays, DomainMapping.ParseDays(p.ReminderDays), p.NoticeDays, p.Subscriptions,
            new DomainPolicy(renewalYears: DomainMapping.ParseDays(p.RenewalYears ?? "")).RenewalYears))];
    }

    public async Task<PolicyView> PolicyAsync(Actor actor, long policyId, CancellationToken ct = default) =>
        (await PoliciesAsync(actor, ct)).SingleOrDefault(p => p.Id == policyId) ?? throw new DomainException(DomainErrors.PolicyUnknown, policyId);

    /// <summary>
    /// The key dates of a sample one-year subscription starting on <paramref name="sampleStart"/>
    /// (its first term and first renewal) under the stored policy and under <paramref name="change"/>,
    /// from the domain's timeline. The change is checked by the domain's rules first.
    /// </summary>
    public async Task<IReadOnlyList<PolicyPreviewLine>> PreviewPolicyAsync(Actor actor, long policyId, PolicyChange change, LocalDate sampleStart, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var stored = await PolicyAsync(actor, policyId, ct);
        var proposed = new DomainPolicy(change.CheckInDays, change.ReminderDays, change.NoticeDays, change.RenewalYears ?? stored.RenewalYearsAllowed);
        var current = new DomainPolicy(stored.CheckInDays, stored.ReminderDays, stored.NoticeDays);
        var sample = new DomainSubscription("sample", sampleStart, 1, DateTimeZoneProviders.Tzdb[SampleZone]);
        var before = RenewalTimeline.ForTerms(sample, current, 2).SelectMany(t => t.Milestones).ToList();
        var after = RenewalTimeline.ForTerms(sample, proposed, 2).SelectMany(t => t.Milestones).ToList();
        static string Id(Milestone m) => string.Create(CultureInfo.InvariantCulture, $"{m.TermNumber}:{m.Key}");
        var keys = before.Concat(after).OrderBy(m => m.TermNumber).ThenBy(m => m.Date).ThenBy(m => m.Kind).Select(Id).Distinct().ToList();
        return [.. keys.Select(k => new PolicyPreviewLine(k, before.SingleOrDefault(m => Id(m) == k), after.SingleOrDefault(m => Id(m) == k)))];
    }

    public async Task<PolicyView> UpdatePolicyAsync(Actor actor, long policyId, PolicyChange change, CancellationToken ct = default)
    {
        Require(actor);
        ArgumentNullException.ThrowIfNull(change);
        var row = await db.Policies.SingleOrDefaultAsync(p => p.Id == policyId, ct) ?? throw new DomainException(DomainErrors.PolicyUnknown, policyId);
        // The domain's rules (offsets within a term, no repeated reminder); it also orders the reminders.
        var policy = new DomainPolicy(change.CheckInDays, change.ReminderDays, change.NoticeDays,
            change.RenewalYears ?? DomainMapping.ParseDays(row.RenewalYears ?? ""));
        var before = $"check-in {row.CheckInDays}, reminders {row.ReminderDays}, notice {row.NoticeDays}";
        var yearsBefore = row.RenewalYears;
        row.CheckInDays = policy.CheckInDays;
        row.ReminderDays = DomainMapping.FormatDays(policy.ReminderDays);
        row.NoticeDays = policy.NoticeDays;
        row.RenewalYears = DomainMapping.FormatDays(policy.RenewalYears);
        // The renewal lengths are named only when they change, so the usual entry keeps its words.
        db.Audit.Add(Entry(actor, "policy.changed", AuditEntities.Policy, row.Id,
            $"{row.Name}: {before} -> check-in {row.CheckInDays}, reminders {row.ReminderDays}, notice {row.NoticeDays}"
            + (yearsBefore == row.RenewalYears ? "" : $"; renewal lengths allowed, in years: {yearsBefore} -> {row.RenewalYears}")));
        await db.SaveChangesAsync(ct);
        return await PolicyAsync(actor, policyId, ct);
    }

    public async Task<PartnerContractView> UpdatePartnerContractAsync(Actor actor, long contractId, int noticeDays, bool filedByPartnerOnly, CancellationToken ct = default)
    {
        Require(actor);
        var contract = await db.PartnerContracts.Include(c => c.Partner).SingleOrDefaultAsync(c => c.Id == contractId, ct)
            ?? throw new DomainException(DomainErrors.PartnerContractUnknown, contractId);
        // The domain's rule on notice days, as for a new contract.
        _ = new Domain.Policies.PartnerContract(contract.Partner!.Name, noticeDays, filedByPartnerOnly);
        var before = Describe(contract.NoticeDays, contract.CancellationFiledByPartnerOnly);
        contract.NoticeDays = noticeDays;
        contract.CancellationFiledByPartnerOnly = filedByPartnerOnly;
        db.Audit.Add(Entry(actor, "partner-contract.changed", AuditEntities.PartnerContract, contract.Id,
            $"{contract.Partner.Name}: {before} -> {Describe(noticeDays, filedByPartnerOnly)}"));
        await db.SaveChangesAsync(ct);
        return new PartnerContractView(contract.Id, contract.PartnerId, contract.Partner.Name, contract.Partner.Email, contract.NoticeDays, contract.CancellationFiledByPartnerOnly);
    }

    /// <summary>The accounts with their advisor, for the assignment form; <paramref name="search"/> matches part of the name.</summary>
    public async Task<IReadOnlyList<AccountAdvisorLine>> AccountsAsync(Actor actor, string? search, int limit, CancellationToken ct = default)
    {
        Require(actor);
        var rows = db.Accounts.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var part = search.Trim().ToLowerInvariant();
            // Runs in SQL as lower(...) LIKE on both providers.
#pragma warning disable CA1304, CA1311, CA1862
            rows = rows.Where(a => a.Name.ToLower().Contains(part));
#pragma warning restore CA1304, CA1311, CA1862
        }

        return await rows.OrderBy(a => a.Name).ThenBy(a => a.Id).Take(Math.Clamp(limit, 1, AuditTrailService.MaxPageSize))
            .Select(a => new AccountAdvisorLine(a.Id, a.Name, a.AdvisorId, a.Advisor != null ? a.Advisor.Name : null)).ToListAsync(ct);
    }

    private static string Describe(string name, string family, decimal? price, string? currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{name} in {family}, {(price is { } p ? $"{p} {currency}" : "no list price")}");

    private static string Describe(int noticeDays, bool partnerOnly) =>
        string.Create(CultureInfo.InvariantCulture, $"{noticeDays} days, {(partnerOnly ? "partner only" : "customer or partner")}");

    private AuditEntry Entry(Actor actor, string action, string entity, long id, string details) =>
        new() { At = clock.GetCurrentInstant(), Actor = actor.AuditName, Action = action, Entity = entity, EntityId = id, Details = details };

    private static void Require(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
    }
}

/// <summary>An account and who looks after it.</summary>
public sealed record AccountAdvisorLine(long Id, string Name, long? AdvisorId, string? Advisor);
