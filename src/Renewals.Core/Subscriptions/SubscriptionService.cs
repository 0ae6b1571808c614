using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;

namespace Renewals.Core.Subscriptions;

public sealed record NewLine(string ProductCode, int Quantity, decimal YearlyUnitPrice, string Currency);

public sealed record NewSubscription(
    long AccountId,
    LocalDate Start,
    int InitialTermYears,
    IReadOnlyList<NewLine> Lines,
    BillingMode Billing = BillingMode.Yearly,
    LicenceDelivery LicenceDelivery = LicenceDelivery.ExtendAutomatically,
    long? PolicyId = null,
    long? PartnerContractId = null);

/// <summary>
/// Sells or imports a subscription: validates it, stores it with its current term, its
/// milestones and its licences, in one transaction.
/// </summary>
public sealed class SubscriptionService(RenewalsDbContext db, IClock clock)
{
    /// <summary>A new sale: every milestone of the first term is planned, past ones included (they run on catch-up).</summary>
    public Task<Subscription> SellAsync(NewSubscription input, CancellationToken ct = default) => CreateAsync(input, isImport: false, ct);

    /// <summary>
    /// A contract that already runs, brought in from another system: it starts in the term
    /// that covers today, and the milestones dated before today are stored as skipped: nothing
    /// is sent for dates already past.
    /// </summary>
    public Task<Subscription> ImportAsync(NewSubscription input, CancellationToken ct = default) => CreateAsync(input, isImport: true, ct);

    private async Task<Subscription> CreateAsync(NewSubscription input, bool isImport, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var account = await db.Accounts.Include(a => a.Contacts).SingleOrDefaultAsync(a => a.Id == input.AccountId, ct)
            ?? throw new DomainException(DomainErrors.AccountUnknown, input.AccountId);
        if (account.Contacts.Count == 0)
        {
            throw new DomainException(DomainErrors.ContactsRequired, account.Name);
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(account.TimeZoneId)
            ?? throw new DomainException(DomainErrors.TimeZoneUnknown, account.TimeZoneId);
        var policy = input.PolicyId is { } policyId
            ? await db.Policies.FindAsync([policyId], ct) ?? throw new DomainException(DomainErrors.PolicyUnknown, policyId)
            : await DefaultPolicyAsync(ct);
        var contract = input.PartnerContractId is { } contractId
            ? await db.PartnerContracts.Include(c => c.Partner).SingleOrDefaultAsync(c => c.Id == contractId, ct)
                ?? throw new DomainException(DomainErrors.PartnerContractUnknown, contractId)
            : null;
        var products = await ValidateLinesAsync(input.Lines, ct);

        // Recommended validation when the customer has nothing yet in these product families.
        var families = products.Values.Select(p => p.FamilyId).Distinct().ToList();
        var hadFamilyBefore = await db.SubscriptionLines
            .Where(l => families.Contains(l.Product!.FamilyId))
            .Join(db.Subscriptions.Where(s => s.AccountId == account.Id), l => l.SubscriptionId, s => s.Id, (l, s) => l.Id)
            .AnyAsync(ct);

        // The rules check the rest: term length, policy and partner contract.
        var domainPolicy = DomainMapping.ToDomain(policy);
        var domain = DomainMapping.ToDomain(account.Name, input.Start, input.InitialTermYears, zone, input.Billing,
            DomainMapping.ToDomain(contract, contract?.Partner?.Name ?? ""), !hadFamilyBefore);

        var now = clock.GetCurrentInstant();
        var today = now.InZone(zone).Date;
        var term = isImport && today >= input.Start ? domain.TermContaining(today) : domain.Term(1);
        var subscription = new Subscription
        {
            AccountId = account.Id,
            PolicyId = policy.Id,
            PartnerContractId = contract?.Id,
            Start = input.Start,
            InitialTermYears = input.InitialTermYears,
            Billing = input.Billing,
            LicenceDelivery = input.LicenceDelivery,
            IsFirstInProductFamily = !hadFamilyBefore,
            Status = SubscriptionStatus.Active,
            CurrentTermNumber = term.Number,
            CreatedAt = now,
        };
        foreach (var line in input.Lines)
        {
            subscription.Lines.Add(new SubscriptionLine
            {
                ProductId = products[line.ProductCode].Id,
                Quantity = line.Quantity,
                YearlyUnitPrice = line.YearlyUnitPrice,
                Currency = line.Currency.ToUpperInvariant(),
            });
        }

        subscription.Terms.Add(new Term { Number = term.Number, Start = term.Start, End = term.End });

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Subscriptions.Add(subscription);
        await db.SaveChangesAsync(ct);

        db.Milestones.AddRange(MilestonePlanner.Plan(subscription.Id, domain, domainPolicy, term.Number, isImport ? today : null, now));
        db.Entitlements.AddRange(subscription.Lines.Select(l => new LicenceEntitlement
        {
            SubscriptionId = subscription.Id,
            ProductId = l.ProductId,
            Quantity = l.Quantity,
            ValidFrom = term.Start,
            ValidUntil = term.End,
            TermNumber = term.Number,
        }));
        db.Audit.Add(new AuditEntry
        {
            At = now,
            Actor = "system",
            Action = isImport ? "subscription.imported" : "subscription.sold",
            Entity = "subscription",
            EntityId = subscription.Id,
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return subscription;
    }

    /// <summary>The policy every subscription follows unless it names another (seeded by the first migration).</summary>
    public Task<RenewalPolicy> DefaultPolicyAsync(CancellationToken ct = default) =>
        db.Policies.SingleAsync(p => p.Name == RenewalPolicy.DefaultName, ct);

    private async Task<Dictionary<string, Product>> ValidateLinesAsync(IReadOnlyList<NewLine> lines, CancellationToken ct)
    {
        if (lines.Count == 0)
        {
            throw new DomainException(DomainErrors.LinesRequired);
        }

        foreach (var line in lines)
        {
            if (line.Quantity < 1)
            {
                throw new DomainException(DomainErrors.LineQuantity, line.Quantity);
            }

            if (line.YearlyUnitPrice < 0)
            {
                throw new DomainException(DomainErrors.LinePrice, line.YearlyUnitPrice);
            }

            if (line.Currency is not { Length: 3 } || !line.Currency.All(char.IsAsciiLetter))
            {
                throw new DomainException(DomainErrors.LineCurrency, line.Currency ?? "");
            }
        }

        // One line a product (its licence right is one row a term), one currency an invoice.
        if (lines.GroupBy(l => l.ProductCode, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new DomainException(DomainErrors.LineProductRepeated, repeated.Key);
        }

        if (lines.Select(l => l.Currency.ToUpperInvariant()).Distinct().Count() > 1)
        {
            throw new DomainException(DomainErrors.LinesCurrencyMixed, string.Join(", ", lines.Select(l => l.Currency.ToUpperInvariant()).Distinct()));
        }

        var codes = lines.Select(l => l.ProductCode).Distinct().ToList();
        var products = await db.Products.Where(p => codes.Contains(p.Code)).ToDictionaryAsync(p => p.Code, ct);
        var unknown = codes.FirstOrDefault(c => !products.ContainsKey(c));
        return unknown is null ? products : throw new DomainException(DomainErrors.ProductUnknown, unknown);
    }
}
