using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;

namespace Renewals.Core.Subscriptions;

/// <summary>A product and its quantity; the price and currency come from the product's list price unless given.</summary>
public sealed record NewLine(string ProductCode, int Quantity, decimal? YearlyUnitPrice = null, string? Currency = null);

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
    /// <summary>
    /// A new sale: it starts today or later in the account's zone. A contract that began
    /// earlier is imported instead, so that nothing is sent for the dates already past.
    /// </summary>
    public Task<Subscription> SellAsync(NewSubscription input, CancellationToken ct = default) => CreateAsync(input, Sale.New, ct);

    /// <summary>
    /// A sale recorded after the fact, its start possibly past: every milestone of the first
    /// term is planned and the past ones run on catch-up. Only for replaying a history (tests,
    /// tools); the command line and the web sell or import.
    /// </summary>
    public Task<Subscription> SellBackdatedAsync(NewSubscription input, CancellationToken ct = default) => CreateAsync(input, Sale.Backdated, ct);

    /// <summary>
    /// A contract that already runs, brought in from another system: it starts in the term
    /// that covers today, and the milestones dated before today are stored as skipped: nothing
    /// is sent for dates already past.
    /// </summary>
    public Task<Subscription> ImportAsync(NewSubscription input, CancellationToken ct = default) => CreateAsync(input, Sale.Import, ct);

    private enum Sale
    {
        New,
        Backdated,
        Import,
    }

    private async Task<Subscription> CreateAsync(NewSubscription input, Sale sale, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var isImport = sale == Sale.Import;
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

        // Recommended validation when the sale brings the customer a product or a product family
        // it did not have before, in any of its other subscriptions (ended ones included).
        var owned = await (
                from l in db.SubscriptionLines
                join s in db.Subscriptions on l.SubscriptionId equals s.Id
                join p in db.Products on l.ProductId equals p.Id
                where s.AccountId == account.Id
                select new { ProductId = p.Id, p.FamilyId })
            .Distinct().ToListAsync(ct);
        var newToCustomer = new NewToCustomer(
            [.. input.Lines.Select(l => products[l.ProductCode]).Where(p => owned.All(o => o.ProductId != p.Id)).Select(p => p.Name)],
            [.. input.Lines.Select(l => products[l.ProductCode].Family!).DistinctBy(f => f.Id).Where(f => owned.All(o => o.FamilyId != f.Id)).Select(f => f.Name)]);
        var recommendedValidation = !newToCustomer.IsEmpty;

        // The rules check the rest: term length, policy and partner contract.
        var domainPolicy = DomainMapping.ToDomain(policy);
        var domain = DomainMapping.ToDomain(account.Name, input.Start, input.InitialTermYears, zone, input.Billing,
            DomainMapping.ToDomain(contract, contract?.Partner?.Name ?? ""), recommendedValidation);

        var now = clock.GetCurrentInstant();
        var today = now.InZone(zone).Date;
        // A new sale dated in the past would send every past letter and invoice at once on the
        // next run; a running contract that has not started yet is a sale, not an import.
        if (sale == Sale.New && input.Start < today)
        {
            throw new DomainException(DomainErrors.SaleStartInPast, input.Start, today);
        }

        if (isImport && input.Start > today)
        {
            throw new DomainException(DomainErrors.ImportStartInFuture, input.Start, today);
        }

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
            IsFirstInProductFamily = recommendedValidation,
            NewToCustomer = newToCustomer.Serialize(),
            Status = SubscriptionStatus.Active,
            CurrentTermNumber = term.Number,
            CreatedAt = now,
        };
        foreach (var line in input.Lines)
        {
            var (price, currency) = Priced(line, products[line.ProductCode]);
            subscription.Lines.Add(new SubscriptionLine
            {
                ProductId = products[line.ProductCode].Id,
                Quantity = line.Quantity,
                YearlyUnitPrice = price,
                Currency = currency,
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
            // A licence delivered through the web account is there from day 1, not only after the first renewal.
            AvailableInWebAccount = subscription.LicenceDelivery == LicenceDelivery.AvailableInWebAccount,
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

            if (line.Currency is { } currency && (currency.Length != 3 || !currency.All(char.IsAsciiLetter)))
            {
                throw new DomainException(DomainErrors.LineCurrency, currency);
            }
        }

        // One line a product (its licence right is one row a term), one currency an invoice.
        if (lines.GroupBy(l => l.ProductCode, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new DomainException(DomainErrors.LineProductRepeated, repeated.Key);
        }

        var codes = lines.Select(l => l.ProductCode).Distinct().ToList();
        var products = await db.Products.Include(p => p.Family).Where(p => codes.Contains(p.Code)).ToDictionaryAsync(p => p.Code, ct);
        var unknown = codes.FirstOrDefault(c => !products.ContainsKey(c));
        if (unknown is not null)
        {
            throw new DomainException(DomainErrors.ProductUnknown, unknown);
        }

        var currencies = lines.Select(l => Priced(l, products[l.ProductCode]).Currency).Distinct().ToList();
        if (currencies.Count > 1)
        {
            throw new DomainException(DomainErrors.LinesCurrencyMixed, string.Join(", ", currencies));
        }

        return products;
    }

    /// <summary>The line's own price and currency, else the product's list price (in the line's currency when it names one).</summary>
    private static (decimal Price, string Currency) Priced(NewLine line, Product product)
    {
        if (line.YearlyUnitPrice is { } price)
        {
            return (price, (line.Currency ?? product.Currency ?? throw new DomainException(DomainErrors.LinePriceMissing, product.Code)).ToUpperInvariant());
        }

        if (product.YearlyUnitPrice is { } listPrice && product.Currency is { } listCurrency
            && (line.Currency is null || string.Equals(line.Currency, listCurrency, StringComparison.OrdinalIgnoreCase)))
        {
            return (listPrice, listCurrency.ToUpperInvariant());
        }

        throw new DomainException(DomainErrors.LinePriceMissing, product.Code);
    }
}
