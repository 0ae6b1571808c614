using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using Renewals.Core.Engine;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Data.Sql;
using DomainPolicy = Renewals.Domain.Policies.RenewalPolicy;

namespace Renewals.Core.Demo;

/// <summary>What <see cref="DemoBook.GenerateAsync"/> wrote.</summary>
public sealed record DemoResult(int Accounts, int Subscriptions, int Milestones, long Rows);

/// <summary>
/// A deterministic book of business for demos, tests and benchmarks: direct and partner
/// customers, French and English contacts, several time zones, starts on 29 February and on
/// month ends, in the past (imported mid-term) and in the coming weeks (new sales). The
/// same seed and the same day give the same book. Written with batched statements: this is
/// the bulk path the "plan" benchmark measures.
/// </summary>
public sealed class DemoBook(RenewalsDatabase database, IClock clock)
{
    private static readonly (string Zone, string Language)[] Zones =
    [
        ("Europe/Paris", "fr"), ("America/New_York", "en"), ("America/Toronto", "fr"), ("Europe/London", "en"),
        ("Asia/Tokyo", "en"), ("Pacific/Auckland", "en"), ("America/Los_Angeles", "en"), ("Europe/Brussels", "fr"),
    ];

    private static readonly string[] Companies =
        ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Hooli", "Vandelay", "Wonka"];

    public const int ChunkSize = 5000;

    public async Task<DemoResult> GenerateAsync(int subscriptions, int seed = 2027, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subscriptions);
        var now = clock.GetCurrentInstant();
        var today = now.InUtc().Date;
        var random = new Random(seed);
        var catalog = await EnsureCatalogAsync(ct);
        var policy = DomainMapping.ToDomain(catalog.Policy);

        var done = 0;
        var milestones = 0;
        long rows = 0;
        while (done < subscriptions)
        {
            var count = Math.Min(ChunkSize, subscriptions - done);
            await using var db = database.CreateContext();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var (m, r) = await WriteChunkAsync(db, transaction, catalog, policy, count, done, random, today, now, ct);
            await transaction.CommitAsync(ct);
            milestones += m;
            rows += r;
            done += count;
            progress?.Report(done);
        }

        return new DemoResult(subscriptions, subscriptions, milestones, rows);
    }

    private async Task<(int Milestones, long Rows)> WriteChunkAsync(
        RenewalsDbContext db, IDbContextTransaction transaction, Catalog catalog, DomainPolicy policy,
        int count, int offset, Random random, LocalDate today, Instant now, CancellationToken ct)
    {
        var provider = database.Provider;
        var connection = db.Database.GetDbConnection();
        var tx = transaction.GetDbTransaction();
        var accountIds = await Db.AllocateIdsAsync(connection, tx, provider, "accounts", count, ct);
        var subscriptionIds = await Db.AllocateIdsAsync(connection, tx, provider, "subscriptions", count, ct);

        await using var accounts = RowWriter.Insert(connection, tx, provider, "accounts",
            "id", "name", "language", "time_zone_id", "requires_purchase_order", "vat_rate", "advisor_id", "partner_id", "created_at");
        await using var contacts = RowWriter.Insert(connection, tx, provider, "contacts", "account_id", "name", "email", "role", "language");
        await using var subs = RowWriter.Insert(connection, tx, provider, "subscriptions",
            "id", "account_id", "policy_id", "partner_contract_id", "start", "initial_term_years", "billing", "licence_delivery",
            "is_first_in_product_family", "status", "current_term_number", "ends_on", "created_at");
        await using var lines = RowWriter.Insert(connection, tx, provider, "subscription_lines",
            "subscription_id", "product_id", "quantity", "yearly_unit_price", "currency");
        await using var terms = RowWriter.Insert(connection, tx, provider, "terms", "subscription_id", "number", "start", "\"end\"", "is_locked");
        await using var entitlements = RowWriter.Insert(connection, tx, provider, "entitlements",
            "subscription_id", "product_id", "quantity", "valid_from", "valid_until", "term_number", "available_in_web_account");
        await using var milestoneRows = EffectSet.MilestoneInserter(connection, tx, provider);

        var milestoneCount = 0;
        for (var i = 0; i < count; i++)
        {
            var n = offset + i;
            var (zoneId, language) = Zones[random.Next(Zones.Length)];
            var zone = DateTimeZoneProviders.Tzdb[zoneId];
            var partner = random.Next(4) == 0 ? catalog.PartnerContracts[random.Next(catalog.PartnerContracts.Count)] : null;
            var name = $"{Companies[random.Next(Companies.Length)]} {n + 1:D6}";
            var requiresPo = random.Next(3) == 0;
            await accounts.AddAsync(ct, accountIds[i], name, language, zoneId, requiresPo, language == "fr" ? 0.20m : 0.0m,
                catalog.Advisors[random.Next(catalog.Advisors.Count)], partner?.PartnerId, now);
            var slug = $"c{n + 1}";
            await contacts.AddAsync(ct, accountIds[i], $"Contact {n + 1}", $"{slug}@example.com", ContactRole.Primary, language);
            if (random.Next(2) == 0)
            {
                await contacts.AddAsync(ct, accountIds[i], $"Accounts payable {n + 1}", $"ap.{slug}@example.com", ContactRole.AccountsPayable, language);
            }

            var years = 1 + random.Next(3);
            var start = StartDate(random, today, years);
            var billing = random.Next(4) == 0 ? Domain.Subscriptions.BillingMode.Upfront : Domain.Subscriptions.BillingMode.Yearly;
            var delivery = random.Next(3) == 0 ? LicenceDelivery.AvailableInWebAccount : LicenceDelivery.ExtendAutomatically;
            var domain = DomainMapping.ToDomain(name, start, years, zone, billing, partner?.Domain, isFirstInFamily: true);
            var localToday = now.InZone(zone).Date;
            var term = localToday >= start ? domain.TermContaining(localToday) : domain.Term(1);

            await subs.AddAsync(ct, subscriptionIds[i], accountIds[i], catalog.Policy.Id, partner?.Id, start, years, billing, delivery,
                true, SubscriptionStatus.Active, term.Number, null, now);
            await terms.AddAsync(ct, subscriptionIds[i], term.Number, term.Start, term.End, false);
            var lineCount = 1 + random.Next(2);
            for (var l = 0; l < lineCount; l++)
            {
                var product = catalog.Products[(n + l) % catalog.Products.Count];
                var quantity = 1 + random.Next(25);
                await lines.AddAsync(ct, subscriptionIds[i], product.Id, quantity, product.Price, "EUR");
                await entitlements.AddAsync(ct, subscriptionIds[i], product.Id, quantity, term.Start, term.End, term.Number, false);
            }

            // A book brought in from elsewhere: what is already past is recorded as skipped.
            foreach (var milestone in MilestonePlanner.Plan(subscriptionIds[i], domain, policy, term.Number, localToday, now))
            {
                await EffectSet.AddMilestoneAsync(milestoneRows, milestone, ct);
                milestoneCount++;
            }
        }

        foreach (var writer in new[] { accounts, contacts, subs, lines, terms, entitlements, milestoneRows })
        {
            await writer.FlushAsync(ct);
        }

        return (milestoneCount, accounts.Rows + contacts.Rows + subs.Rows + lines.Rows + terms.Rows + entitlements.Rows + milestoneRows.Rows);
    }

    /// <summary>Mostly spread over the last term lengths; some on 29 February, some on month ends, some in the coming weeks.</summary>
    private static LocalDate StartDate(Random random, LocalDate today, int years)
    {
        switch (random.Next(20))
        {
            case 0:
                // A leap day in the past few years.
                var leapYear = today.Year - random.Next(6);
                while (!CalendarSystem.Iso.IsLeapYear(leapYear))
                {
                    leapYear--;
                }

                return new LocalDate(leapYear, 2, 29);
            case 1:
                // A month end.
                var month = today.PlusMonths(-random.Next(36));
                return new LocalDate(month.Year, month.Month, CalendarSystem.Iso.GetDaysInMonth(month.Year, month.Month));
            case 2:
                // A new sale starting soon.
                return today.PlusDays(random.Next(60));
            default:
                return today.PlusDays(-random.Next(365 * years));
        }
    }

    private sealed record CatalogProduct(long Id, decimal Price);

    private sealed record DemoPartnerContract(long Id, long PartnerId, Domain.Policies.PartnerContract Domain);

    private sealed record Catalog(
        Data.Model.RenewalPolicy Policy, IReadOnlyList<CatalogProduct> Products, IReadOnlyList<long> Advisors, IReadOnlyList<DemoPartnerContract> PartnerContracts);

    /// <summary>Products, advisors and partners the demo accounts use; created once.</summary>
    private async Task<Catalog> EnsureCatalogAsync(CancellationToken ct)
    {
        await using var db = database.CreateContext();
        if (!await db.Products.AnyAsync(ct))
        {
            var design = new ProductFamily { Name = "Design" };
            var analytics = new ProductFamily { Name = "Analytics" };
            design.Products.Add(new Product { Code = "DSN-STD", Name = "Design Studio Standard" });
            design.Products.Add(new Product { Code = "DSN-PRO", Name = "Design Studio Professional" });
            design.Products.Add(new Product { Code = "SIM-ADV", Name = "Simulation Advanced" });
            analytics.Products.Add(new Product { Code = "ANL-CORE", Name = "Analytics Core" });
            analytics.Products.Add(new Product { Code = "ANL-IOT", Name = "Analytics IoT Connect" });
            db.ProductFamilies.AddRange(design, analytics);
            string[] advisors = ["Camille Laurent:fr", "Hugo Martin:fr", "Emma Walsh:en", "Noah Patel:en", "Léa Girard:fr", "Olivia Chen:en"];
            foreach (var advisor in advisors)
            {
                var parts = advisor.Split(':');
                db.Advisors.Add(new Advisor
                {
                    Name = parts[0],
                    Email = parts[0].ToLowerInvariant().Replace(' ', '.').Replace('é', 'e') + "@vendor.example",
                    Language = parts[1],
                });
            }

            var northwind = new Partner { Name = "Northwind Resellers", Email = "renewals@northwind.example" };
            northwind.Contracts.Add(new Data.Model.PartnerContract { NoticeDays = 90, CancellationFiledByPartnerOnly = true });
            var fabrikam = new Partner { Name = "Fabrikam Solutions", Email = "contracts@fabrikam.example" };
            fabrikam.Contracts.Add(new Data.Model.PartnerContract { NoticeDays = 30 });
            db.Partners.AddRange(northwind, fabrikam);
            await db.SaveChangesAsync(ct);
        }

        var prices = new Dictionary<string, decimal>
        {
            ["DSN-STD"] = 1200m, ["DSN-PRO"] = 2900m, ["SIM-ADV"] = 4100m, ["ANL-CORE"] = 850m, ["ANL-IOT"] = 1600m,
        };
        var products = await db.Products.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct);
        var contracts = await db.PartnerContracts.AsNoTracking().Include(c => c.Partner).OrderBy(c => c.Id).ToListAsync(ct);
        return new Catalog(
            await db.Policies.AsNoTracking().SingleAsync(p => p.Name == Data.Model.RenewalPolicy.DefaultName, ct),
            [.. products.Select(p => new CatalogProduct(p.Id, prices.GetValueOrDefault(p.Code, 1000m)))],
            await db.Advisors.AsNoTracking().OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct),
            [.. contracts.Select(c => new DemoPartnerContract(c.Id, c.PartnerId, DomainMapping.ToDomain(c, c.Partner!.Name)!))]);
    }
}
