using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using Renewals.Core.Cancellations;
using Renewals.Core.Engine;
using Renewals.Core.Invoicing;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Data.Sql;
using Renewals.Domain;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Timeline;
using DomainPolicy = Renewals.Domain.Policies.RenewalPolicy;

namespace Renewals.Core.Demo;

/// <summary>What <see cref="DemoBook.GenerateAsync"/> wrote.</summary>
public sealed record DemoResult(int Accounts, int Subscriptions, int Milestones, long Rows, int Notices = 0, int PurchaseOrders = 0);

/// <summary>
/// A deterministic book of business for demos, tests and benchmarks: direct and partner
/// customers, French and English contacts, several time zones, starts on 29 February and on
/// month ends, in the past (imported mid-term) and in the coming weeks (new sales); a few
/// accounts without an advisor (their tasks wait in the unassigned queue); written notices
/// (on time, late, through a partner, withdrawn) and purchase orders (for a subscription,
/// for a period, account-wide) filed through the services, as an operator would. The
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

    /// <summary>The tables <see cref="WriteChunkAsync"/> bulk-loads.</summary>
    public static readonly IReadOnlyCollection<string> BulkTables =
        ["accounts", "contacts", "subscriptions", "subscription_lines", "terms", "entitlements", "milestones"];

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
        var firstSubscriptions = new List<long>();
        // A fresh book: its secondary indexes are built once after the load, not row by row.
        var deferred = subscriptions > 0 ? await DeferredIndexes.DropIfEmptyAsync(database, BulkTables, ct) : null;
        try
        {
            while (done < subscriptions)
            {
                var count = Math.Min(ChunkSize, subscriptions - done);
                await using var db = database.CreateContext();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var (m, r, ids) = await WriteChunkAsync(db, transaction, catalog, policy, count, done, random, today, now, ct);
                await transaction.CommitAsync(ct);
                firstSubscriptions.AddRange(ids.Take(StoryCandidates - firstSubscriptions.Count));
                milestones += m;
                rows += r;
                done += count;
                progress?.Report(done);
            }
        }
        finally
        {
            if (deferred is not null)
            {
                // Not the caller's token: a cancelled load must still leave the schema whole.
                await deferred.RestoreAsync(database, CancellationToken.None);
            }
        }

        var stories = Math.Min(MaxStories, Math.Max(subscriptions / 40, Math.Min(subscriptions, 4)));
        var notices = await FileNoticesAsync(firstSubscriptions, stories, new Random(seed + 1), ct);
        var orders = await RegisterPurchaseOrdersAsync(firstSubscriptions, stories, ct);
        return new DemoResult(subscriptions, subscriptions, milestones, rows, notices, orders);
    }

    /// <summary>At most this many notices and this many purchase orders: a story to show, not a load to measure.</summary>
    public const int MaxStories = 60;

    private const int StoryCandidates = 4000;

    /// <summary>
    /// Written notices through <see cref="CancellationService"/>, taking turns: one on time
    /// (dated on or before the deadline), one late (dated today, after the deadline), one
    /// filed by the partner, one filed and then withdrawn. A subscription that cannot take the
    /// turn's kind (not started yet, deadline not passed for a late one) is passed over.
    /// </summary>
    private async Task<int> FileNoticesAsync(IReadOnlyList<long> candidates, int wanted, Random random, CancellationToken ct)
    {
        var filed = 0;
        var turn = 0;
        var now = clock.GetCurrentInstant();
        foreach (var id in candidates.Where((_, i) => i % 3 == 0))
        {
            if (filed >= wanted)
            {
                break;
            }

            await using var db = database.CreateContext();
            var row = await db.Subscriptions.AsNoTracking().Include(s => s.Account!).ThenInclude(a => a.Contacts).Include(s => s.Policy)
                .Include(s => s.PartnerContract!).ThenInclude(c => c.Partner).SingleAsync(s => s.Id == id, ct);
            var zone = DateTimeZoneProviders.Tzdb[row.Account!.TimeZoneId];
            var domain = DomainMapping.ToDomain(row.Account.Name, row.Start, row.InitialTermYears, zone, row.Billing,
                DomainMapping.ToDomain(row.PartnerContract, row.PartnerContract?.Partner?.Name ?? ""), row.IsFirstInProductFamily, row.RenewalLengths);
            // The latest a demo notice arrives: two days ago, so that it and its acknowledgement
            // are already past however the zones fall.
            var latest = now.InZone(zone).Date.PlusDays(-2);
            if (latest < row.Start)
            {
                continue;
            }

            var term = domain.TermContaining(latest);
            var deadline = RenewalTimeline.CancellationDeadline(domain, DomainMapping.ToDomain(row.Policy!), term);
            var kind = row.PartnerContract is not null ? "partner" : (turn % 3) switch { 0 => "on-time", 1 => "late", _ => "withdrawn" };
            LocalDate received;
            switch (kind)
            {
                case "late" when deadline >= latest:
                    continue;
                case "late":
                    received = latest;
                    break;
                default:
                    // Some days before the deadline (or before the latest day, when the deadline is ahead), never before the term began.
                    received = Max(term.Start, (deadline < latest ? deadline : latest).PlusDays(-random.Next(20)));
                    break;
            }

            var filer = row.PartnerContract is null ? NoticeFiler.Customer : NoticeFiler.Partner;
            var signer = filer == NoticeFiler.Partner ? row.PartnerContract!.Partner!.Name : row.Account.Contacts[0].Name;
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes($"demo notice for subscription {id} received {received}")));
            try
            {
                // Filed (and, for one in three, withdrawn) on the day it arrived, as an operator would have.
                var arrived = received.AtStartOfDayInZone(zone).ToInstant();
                var service = new CancellationService(db, new StoppedClock(arrived));
                var notice = await service.FileAsync(
                    id, new WrittenNotice(arrived, NoticeChannel.PostalLetter, signer, hash, filer), "demo", ct: ct);
                if (kind == "withdrawn")
                {
                    db.ChangeTracker.Clear();
                    await service.WithdrawAsync(notice.Id, "demo", ct);
                }
            }
            catch (DomainException)
            {
                // A rule refused this one (the demo picks blindly): pass it over.
                continue;
            }

            filed++;
            if (row.PartnerContract is null)
            {
                turn++;
            }
        }

        return filed;
    }

    /// <summary>
    /// Purchase orders through <see cref="PurchaseOrderService"/>, taking turns: one for a
    /// subscription, one for a subscription's current term (a period), one for the whole account.
    /// </summary>
    private async Task<int> RegisterPurchaseOrdersAsync(IReadOnlyList<long> candidates, int wanted, CancellationToken ct)
    {
        var registered = 0;
        foreach (var id in candidates.Where((_, i) => i % 3 == 1))
        {
            if (registered >= wanted)
            {
                break;
            }

            await using var db = database.CreateContext();
            var row = await db.Subscriptions.AsNoTracking().Include(s => s.Terms).SingleAsync(s => s.Id == id, ct);
            var term = row.Terms.OrderBy(t => t.Number).Last();
            var number = $"PO-{id:D6}";
            var order = (registered % 3) switch
            {
                0 => new NewPurchaseOrder(row.AccountId, number, id),
                1 => new NewPurchaseOrder(row.AccountId, number, id, term.Start, term.End),
                _ => new NewPurchaseOrder(row.AccountId, number),
            };
            try
            {
                await new PurchaseOrderService(db, clock).RegisterAsync(order, "demo", ct);
                registered++;
            }
            catch (DomainException)
            {
                continue;
            }
        }

        return registered;
    }

    private static LocalDate Max(LocalDate a, LocalDate b) => a > b ? a : b;

    /// <summary>The clock of a past day on which the demo's operator filed a notice.</summary>
    private sealed class StoppedClock(Instant at) : IClock
    {
        public Instant GetCurrentInstant() => at;
    }

    private async Task<(int Milestones, long Rows, long[] SubscriptionIds)> WriteChunkAsync(
        RenewalsDbContext db, IDbContextTransaction transaction, Catalog catalog, DomainPolicy policy,
        int count, int offset, Random random, LocalDate today, Instant now, CancellationToken ct)
    {
        var provider = database.Provider;
        var connection = db.Database.GetDbConnection();
        var tx = transaction.GetDbTransaction();
        var accountIds = await Db.AllocateIdsAsync(connection, tx, provider, "accounts", count, ct);
        var subscriptionIds = await Db.AllocateIdsAsync(connection, tx, provider, "subscriptions", count, ct);

        await using var accounts = RowWriter.Insert(connection, tx, provider, "accounts",
            "id", "name", "language", "time_zone_id", "requires_purchase_order", "vat_rate", "advisor_id", "partner_id", "created_at",
            "billing_address", "vat_number");
        await using var contacts = RowWriter.Insert(connection, tx, provider, "contacts", "account_id", "name", "email", "role", "language");
        await using var subs = RowWriter.Insert(connection, tx, provider, "subscriptions",
            "id", "account_id", "policy_id", "partner_contract_id", "start", "initial_term_years", "billing", "licence_delivery",
            "is_first_in_product_family", "status", "current_term_number", "ends_on", "created_at", "new_to_customer");
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
            // One account in 25 has no advisor: its tasks go to the queue every advisor sees.
            var advisor = catalog.Advisors[random.Next(catalog.Advisors.Count)];
            await accounts.AddAsync(ct, accountIds[i], name, language, zoneId, requiresPo, language == "fr" ? 0.20m : 0.0m,
                n % 25 == 24 ? null : advisor, partner?.PartnerId, now, BillingAddress(n, language), VatNumber(n, language));
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

            var lineCount = 1 + random.Next(2);
            var sold = Enumerable.Range(0, lineCount).Select(l => catalog.Products[(n + l) % catalog.Products.Count]).ToList();
            // Each demo account has this one subscription: every product and family in it is new to the customer.
            var newToCustomer = new Subscriptions.NewToCustomer([.. sold.Select(p => p.Name)], [.. sold.Select(p => p.Family).Distinct()]).Serialize();
            await subs.AddAsync(ct, subscriptionIds[i], accountIds[i], catalog.Policy.Id, partner?.Id, start, years, billing, delivery,
                true, SubscriptionStatus.Active, term.Number, null, now, newToCustomer);
            await terms.AddAsync(ct, subscriptionIds[i], term.Number, term.Start, term.End, false);
            for (var l = 0; l < lineCount; l++)
            {
                var product = catalog.Products[(n + l) % catalog.Products.Count];
                var quantity = 1 + random.Next(25);
                await lines.AddAsync(ct, subscriptionIds[i], product.Id, quantity, product.Price, "EUR");
                await entitlements.AddAsync(ct, subscriptionIds[i], product.Id, quantity, term.Start, term.End, term.Number, delivery == LicenceDelivery.AvailableInWebAccount);
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

        return (milestoneCount, accounts.Rows + contacts.Rows + subs.Rows + lines.Rows + terms.Rows + entitlements.Rows + milestoneRows.Rows, subscriptionIds);
    }

    private static string BillingAddress(int n, string language) => language == "fr"
        ? $"{1 + (n % 120)} rue des Acacias\n{75001 + (n % 20):D5} Paris\nFrance"
        : $"{1 + (n % 120)} Market Street\nSuite {100 + (n % 50)}\nLondon EC{1 + (n % 4)}A {1 + (n % 9)}BB\nUnited Kingdom";

    /// <summary>A French intra-community number for French-speaking customers, a British one otherwise (made up, well formed).</summary>
    private static string VatNumber(int n, string language) => language == "fr"
        ? $"FR{n % 97:D2}{300000000 + n:D9}"
        : $"GB{100000000 + n:D9}";

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

    private sealed record CatalogProduct(long Id, decimal Price, string Name, string Family);

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
            design.Products.Add(new Product { Code = "DSN-STD", Name = "Design Studio Standard", YearlyUnitPrice = 1200m, Currency = "EUR" });
            design.Products.Add(new Product { Code = "DSN-PRO", Name = "Design Studio Professional", YearlyUnitPrice = 2900m, Currency = "EUR" });
            design.Products.Add(new Product { Code = "SIM-ADV", Name = "Simulation Advanced", YearlyUnitPrice = 4100m, Currency = "EUR" });
            analytics.Products.Add(new Product { Code = "ANL-CORE", Name = "Analytics Core", YearlyUnitPrice = 850m, Currency = "EUR" });
            analytics.Products.Add(new Product { Code = "ANL-IOT", Name = "Analytics IoT Connect", YearlyUnitPrice = 1600m, Currency = "EUR" });
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
        var products = await db.Products.AsNoTracking().Include(p => p.Family).OrderBy(p => p.Id).ToListAsync(ct);
        var contracts = await db.PartnerContracts.AsNoTracking().Include(c => c.Partner).OrderBy(c => c.Id).ToListAsync(ct);
        return new Catalog(
            await db.Policies.AsNoTracking().SingleAsync(p => p.Name == Data.Model.RenewalPolicy.DefaultName, ct),
            [.. products.Select(p => new CatalogProduct(p.Id, p.YearlyUnitPrice ?? prices.GetValueOrDefault(p.Code, 1000m), p.Name, p.Family!.Name))],
            await db.Advisors.AsNoTracking().OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct),
            [.. contracts.Select(c => new DemoPartnerContract(c.Id, c.PartnerId, DomainMapping.ToDomain(c, c.Partner!.Name)!))]);
    }
}
