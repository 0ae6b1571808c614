using System.Globalization;
using System.Net.Mail;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Accounts;
using Renewals.Core.Engine;
using Renewals.Core.Planning;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using ContactRole = Renewals.Data.Model.ContactRole;
using SubscriptionStatus = Renewals.Data.Model.SubscriptionStatus;
using Renewals.Data.Sql;
using Renewals.Domain;
using static Renewals.Core.Import.BookLayout;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;

namespace Renewals.Core.Import;

/// <summary>What an import found and, unless it was a dry run or an error was found, stored.</summary>
public sealed record ImportResult(bool Stored, int Rows, int Accounts, int Subscriptions, int Milestones, IReadOnlyList<ImportError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Brings in a book that already runs elsewhere, from a CSV file in <see cref="BookLayout"/>.
/// Every row is read and checked first and every error is collected; only a file without
/// one is stored, in one transaction. Contracts are planned as
/// <see cref="SubscriptionService.ImportAsync"/> plans them (same term, same milestone rows,
/// past ones skipped), written with the batched writers the demo book uses, so that a book
/// of 100,000 lines goes in within seconds.
/// </summary>
public sealed class BookImport(RenewalsDatabase database, IClock clock)
{
    /// <summary>Reads, checks and, unless <paramref name="dryRun"/> or an error was found, stores the book.</summary>
    public async Task<ImportResult> ImportAsync(Stream file, bool dryRun = false, string actor = "import", CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);

        var errors = new LineErrors<ImportError>((line, column, refused) => ImportError.Rule(line, column, refused.Code, [.. refused.Arguments]));
        if (!CheckEncoding(bytes.Span, errors))
        {
            return new ImportResult(false, 0, 0, 0, 0, errors);
        }

        Reference reference;
        await using (var db = database.CreateContext())
        {
            reference = await Reference.LoadAsync(db, ct);
        }

        var book = new BookReader(reference, errors).Read(bytes);
        if (errors.Count > 0 || dryRun)
        {
            return new ImportResult(false, book.Rows, book.Accounts.Count, book.Accounts.Sum(a => a.Subscriptions.Count), 0,
                [.. errors.OrderBy(e => e.Line)]);
        }

        var milestones = await StoreAsync(book, reference, actor, ct);
        return new ImportResult(true, book.Rows, book.Accounts.Count, book.Accounts.Sum(a => a.Subscriptions.Count), milestones, []);
    }

    /// <summary>
    /// UTF-8 only (with or without a byte order mark): a UTF-16 file is refused as a whole, and
    /// every line carrying bytes that are not UTF-8 (Latin-1, Windows-1252) is named.
    /// </summary>
    private static bool CheckEncoding(ReadOnlySpan<byte> bytes, List<ImportError> errors)
    {
        if (bytes.IsEmpty || bytes.Trim("\r\n\t \uFEFF"u8).IsEmpty || (bytes.StartsWith("\uFEFF"u8) && bytes[3..].Trim("\r\n\t "u8).IsEmpty))
        {
            errors.Add(ImportError.Of(1, null, ImportProblem.FileEmpty));
            return false;
        }

        // A UTF-16 or UTF-32 byte order mark, or UTF-16 without one (ASCII text with a zero byte every other byte).
        if (bytes.StartsWith(new byte[] { 0xFF, 0xFE }) || bytes.StartsWith(new byte[] { 0xFE, 0xFF }) || bytes[..Math.Min(bytes.Length, 200)].Contains((byte)0))
        {
            errors.Add(ImportError.Of(1, null, ImportProblem.Utf16));
            return false;
        }

        var line = 1;
        var rest = bytes;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var text = end < 0 ? rest : rest[..end];
            if (!System.Text.Unicode.Utf8.IsValid(text))
            {
                errors.Add(ImportError.Of(line, null, ImportProblem.NotUtf8));
            }

            rest = end < 0 ? [] : rest[(end + 1)..];
            line++;
        }

        return errors.Count == 0;
    }

    private async Task<int> StoreAsync(Book book, Reference reference, string actor, CancellationToken ct)
    {
        var provider = database.Provider;
        var now = clock.GetCurrentInstant();
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = db.Database.GetDbConnection();
        var tx = transaction.GetDbTransaction();
        var policy = await db.Policies.AsNoTracking().SingleAsync(p => p.Name == Data.Model.RenewalPolicy.DefaultName, ct);
        var domainPolicy = DomainMapping.ToDomain(policy);

        var subscriptionCount = book.Accounts.Sum(a => a.Subscriptions.Count);
        var accountIds = await Db.AllocateIdsAsync(connection, tx, provider, "accounts", book.Accounts.Count, ct);
        var subscriptionIds = await Db.AllocateIdsAsync(connection, tx, provider, "subscriptions", subscriptionCount, ct);

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
        await using var audit = RowWriter.Insert(connection, tx, provider, "audit", "at", "actor", "action", "entity", "entity_id", "details");
        await using var milestoneRows = EffectSet.MilestoneInserter(connection, tx, provider);
        // Parents before children: PostgreSQL's COPY buffers flush on their own when full, so
        // every chunk is flushed in this order before a child buffer can fill up alone.
        RowWriter[] writers = [accounts, contacts, subs, lines, terms, entitlements, milestoneRows, audit];

        var milestones = 0;
        var s = 0;
        for (var a = 0; a < book.Accounts.Count; a++)
        {
            var account = book.Accounts[a];
            var accountId = accountIds[a];
            await accounts.AddAsync(ct, accountId, account.Name, account.Language, account.Zone.Id, account.RequiresPurchaseOrder, account.VatRate,
                account.AdvisorId, account.Partner?.PartnerId, now, account.BillingAddress, account.VatNumber);
            await contacts.AddAsync(ct, accountId, account.PrimaryName, account.PrimaryEmail, ContactRole.Primary, account.Language);
            if (account.PayablesName is { } payables)
            {
                await contacts.AddAsync(ct, accountId, payables, account.PayablesEmail, ContactRole.AccountsPayable, account.Language);
            }

            // Recommended validation as a sale decides it: a product or family the account's earlier subscriptions did not have.
            var ownedProducts = new HashSet<long>();
            var ownedFamilies = new HashSet<long>();
            foreach (var subscription in account.Subscriptions)
            {
                var id = subscriptionIds[s++];
                var products = subscription.Lines.Select(l => l.Product).ToList();
                var newToCustomer = new NewToCustomer(
                    [.. products.Where(p => !ownedProducts.Contains(p.Id)).Select(p => p.Name)],
                    [.. products.Where(p => !ownedFamilies.Contains(p.FamilyId)).DistinctBy(p => p.FamilyId).Select(p => p.Family)]);
                ownedProducts.UnionWith(products.Select(p => p.Id));
                ownedFamilies.UnionWith(products.Select(p => p.FamilyId));

                var domain = DomainMapping.ToDomain(account.Name, subscription.Start, subscription.Years, account.Zone, subscription.Billing,
                    account.Partner?.Domain, !newToCustomer.IsEmpty);
                // The same choice as SubscriptionService.ImportAsync: the term that covers the customer's today, past dates skipped.
                var today = now.InZone(account.Zone).Date;
                var term = today >= subscription.Start ? domain.TermContaining(today) : domain.Term(1);
                await subs.AddAsync(ct, id, accountId, policy.Id, account.Partner?.ContractId, subscription.Start, subscription.Years, subscription.Billing,
                    subscription.Delivery, !newToCustomer.IsEmpty, SubscriptionStatus.Active, term.Number, null, now, newToCustomer.Serialize());
                await terms.AddAsync(ct, id, term.Number, term.Start, term.End, false);
                foreach (var line in subscription.Lines)
                {
                    await lines.AddAsync(ct, id, line.Product.Id, line.Quantity, line.Price, line.Currency);
                    await entitlements.AddAsync(ct, id, line.Product.Id, line.Quantity, term.Start, term.End, term.Number,
                        subscription.Delivery == Data.Model.LicenceDelivery.AvailableInWebAccount);
                }

                foreach (var milestone in MilestonePlanner.Plan(id, domain, domainPolicy, term.Number, today, now))
                {
                    await EffectSet.AddMilestoneAsync(milestoneRows, milestone, ct);
                    milestones++;
                }

                await audit.AddAsync(ct, now, actor, "subscription.imported", "subscription", id, subscription.Reference);
                if (s % ChunkSize == 0)
                {
                    await FlushAsync(writers, ct);
                }
            }
        }

        await FlushAsync(writers, ct);

        await transaction.CommitAsync(ct);
        return milestones;
    }

    /// <summary>Subscriptions written between two flushes: their milestones stay well under a COPY buffer.</summary>
    private const int ChunkSize = 5000;

    private static async Task FlushAsync(RowWriter[] writers, CancellationToken ct)
    {
        foreach (var writer in writers)
        {
            await writer.FlushAsync(ct);
        }
    }

    internal sealed record ProductRef(long Id, string Code, string Name, long FamilyId, string Family, decimal? Price, string? Currency);

    internal sealed record PartnerRef(long PartnerId, string Name, IReadOnlyList<(long Id, Domain.Policies.PartnerContract Domain)> Contracts);

    internal sealed record PartnerChoice(long PartnerId, long ContractId, Domain.Policies.PartnerContract Domain);

    /// <summary>What the rows are checked against: the catalogue, the advisors, the partners and the accounts already there.</summary>
    internal sealed record Reference(
        IReadOnlyDictionary<string, ProductRef> Products, IReadOnlyDictionary<string, long> Advisors,
        IReadOnlyDictionary<string, PartnerRef> Partners, IReadOnlySet<string> AccountNames)
    {
        public static async Task<Reference> LoadAsync(RenewalsDbContext db, CancellationToken ct)
        {
            var products = await db.Products.AsNoTracking()
                .Select(p => new ProductRef(p.Id, p.Code, p.Name, p.FamilyId, p.Family!.Name, p.YearlyUnitPrice, p.Currency)).ToListAsync(ct);
            var advisors = await db.Advisors.AsNoTracking().Select(a => new { a.Id, a.Email }).ToListAsync(ct);
            var partners = await db.Partners.AsNoTracking().Include(p => p.Contracts).ToListAsync(ct);
            var names = await db.Accounts.AsNoTracking().Select(a => a.Name).ToListAsync(ct);
            return new Reference(
                products.ToDictionary(p => p.Code, StringComparer.Ordinal),
                advisors.GroupBy(a => a.Email, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.OrdinalIgnoreCase),
                partners.ToDictionary(p => p.Name, p => new PartnerRef(p.Id, p.Name,
                    [.. p.Contracts.OrderBy(c => c.Id).Select(c => (c.Id, DomainMapping.ToDomain(c, p.Name)!))]), StringComparer.OrdinalIgnoreCase),
                names.ToHashSet(StringComparer.OrdinalIgnoreCase));
        }
    }

    internal sealed class Book
    {
        public int Rows { get; set; }

        public List<AccountPlan> Accounts { get; } = [];
    }

    internal sealed class AccountPlan
    {
        public required string Name { get; init; }

        public required int FirstLine { get; init; }

        public required Dictionary<string, string> Values { get; init; }

        public string Language { get; set; } = "en";

        public DateTimeZone Zone { get; set; } = DateTimeZone.Utc;

        public bool RequiresPurchaseOrder { get; set; }

        public decimal VatRate { get; set; }

        public string? BillingAddress { get; set; }

        public string? VatNumber { get; set; }

        public long? AdvisorId { get; set; }

        public PartnerChoice? Partner { get; set; }

        public string PrimaryName { get; set; } = "";

        public string PrimaryEmail { get; set; } = "";

        public string? PayablesName { get; set; }

        public string? PayablesEmail { get; set; }

        public bool IsValid { get; set; }

        public List<SubscriptionPlan> Subscriptions { get; } = [];
    }

    internal sealed class SubscriptionPlan
    {
        public required string Reference { get; init; }

        public required int FirstLine { get; init; }

        public required Dictionary<string, string> Values { get; init; }

        public LocalDate Start { get; set; }

        public int Years { get; set; }

        public BillingMode Billing { get; set; }

        public Data.Model.LicenceDelivery Delivery { get; set; }

        public List<LinePlan> Lines { get; } = [];

        public Dictionary<string, int> ProductLines { get; } = new(StringComparer.Ordinal);
    }

    internal sealed record LinePlan(ProductRef Product, int Quantity, decimal Price, string Currency, int Line);

    /// <summary>Reads the rows and checks each one, collecting every error; plans nothing that is wrong.</summary>
    private sealed class BookReader(Reference reference, LineErrors<ImportError> errors)
    {
        private readonly Dictionary<string, AccountPlan> _accounts = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, SubscriptionPlan> _subscriptions = new(StringComparer.Ordinal);

        public Book Read(ReadOnlyMemory<byte> bytes)
        {
            var book = new Book();
            using var csv = new CsvLines(bytes);
            if (csv.MalformedAt is not null)
            {
                errors.Add(ImportError.Of(1, null, ImportProblem.Malformed));
                return book;
            }

            if (!HeaderIsValid([.. csv.Header]))
            {
                return book;
            }

            while (csv.TryRead(out var row))
            {
                var line = row.Line;
                book.Rows++;
                if (row.FieldCount != csv.Header.Count)
                {
                    errors.Add(ImportError.Of(line, null, ImportProblem.FieldCount, row.FieldCount, csv.Header.Count));
                    continue;
                }

                // Only an address is written over several lines; any other field that spans lines swallowed the lines between.
                var spanning = row.ColumnsWithLineBreak.Where(c => c != BillingAddress).ToList();
                if (spanning.Count > 0)
                {
                    errors.AddRange(spanning.Select(c => ImportError.Of(line, c, ImportProblem.FieldLineBreak)));
                    continue;
                }

                var values = new Dictionary<string, string>(Columns.Count, StringComparer.Ordinal);
                foreach (var column in Columns)
                {
                    values[column] = row[column];
                }

                Row(book, line, values);
            }

            if (csv.MalformedAt is { } malformed)
            {
                errors.Add(ImportError.Of(malformed, null, ImportProblem.Malformed));
            }

            if (book.Rows == 0 && errors.Count == 0)
            {
                errors.Add(ImportError.Of(1, null, ImportProblem.NoRows));
            }

            return book;
        }

        private bool HeaderIsValid(string[] header)
        {
            var before = errors.Count;
            foreach (var name in header.Where(h => !Columns.Contains(h)))
            {
                errors.Add(ImportError.Of(1, name, ImportProblem.ColumnUnknown, name, string.Join(", ", Columns)));
            }

            foreach (var name in header.Where(Columns.Contains).GroupBy(h => h).Where(g => g.Count() > 1))
            {
                errors.Add(ImportError.Of(1, name.Key, ImportProblem.ColumnRepeated, name.Key));
            }

            foreach (var name in Required.Where(r => !header.Contains(r)))
            {
                errors.Add(ImportError.Of(1, name, ImportProblem.ColumnMissing, name));
            }

            return errors.Count == before;
        }

        private void Row(Book book, int line, Dictionary<string, string> values)
        {
            var before = errors.Count;
            foreach (var column in Required.Where(c => values[c].Length == 0))
            {
                errors.Add(ImportError.Of(line, column, ImportProblem.Required));
            }

            if (errors.Count > before)
            {
                return;
            }

            var name = values[Account];
            if (!_accounts.TryGetValue(name, out var account))
            {
                account = new AccountPlan { Name = name, FirstLine = line, Values = values };
                _accounts[name] = account;
                account.IsValid = CheckAccount(account, line, values);
                book.Accounts.Add(account);
            }
            else
            {
                foreach (var column in AccountColumns.Where(c => !string.Equals(values[c], account.Values[c], StringComparison.Ordinal)))
                {
                    errors.Add(ImportError.Of(line, column, ImportProblem.AccountDiffers, account.Name, account.FirstLine));
                }
            }

            var reference = values[Subscription];
            if (!_subscriptions.TryGetValue(reference, out var subscription))
            {
                subscription = new SubscriptionPlan { Reference = reference, FirstLine = line, Values = values };
                _subscriptions[reference] = subscription;
                if (CheckSubscription(subscription, line, values) && account.IsValid)
                {
                    // The rules of the domain (term length, partner contract) on the contract as it will be planned.
                    _ = errors.Check(line, null, () => DomainMapping.ToDomain(account.Name, subscription.Start, subscription.Years, account.Zone,
                        subscription.Billing, account.Partner?.Domain, isFirstInFamily: true));
                }

                account.Subscriptions.Add(subscription);
            }
            else
            {
                foreach (var column in SubscriptionColumns.Where(c => !string.Equals(values[c], subscription.Values[c], StringComparison.Ordinal)))
                {
                    errors.Add(ImportError.Of(line, column, ImportProblem.SubscriptionDiffers, subscription.Reference, subscription.FirstLine));
                }
            }

            CheckLine(subscription, line, values);
        }

        private bool CheckAccount(AccountPlan account, int line, Dictionary<string, string> values)
        {
            var before = errors.Count;
            if (reference.AccountNames.Contains(account.Name))
            {
                errors.Add(ImportError.Of(line, Account, ImportProblem.AccountExists, account.Name));
            }

            account.Language = values[Language];
            if (!AccountService.Languages.Contains(account.Language))
            {
                errors.Add(ImportError.Rule(line, Language, DomainErrors.LanguageUnknown, account.Language));
            }

            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(values[BookLayout.TimeZone]) is { } zone)
            {
                account.Zone = zone;
            }
            else
            {
                errors.Add(ImportError.Rule(line, BookLayout.TimeZone, DomainErrors.TimeZoneUnknown, values[BookLayout.TimeZone]));
            }

            account.RequiresPurchaseOrder = YesNo(line, RequiresPurchaseOrder, values[RequiresPurchaseOrder]);
            account.VatRate = 0.20m;
            if (values[VatRate].Length > 0)
            {
                if (Decimal(line, VatRate, values[VatRate]) is { } rate)
                {
                    account.VatRate = rate;
                    if (rate is < 0 or > 1)
                    {
                        errors.Add(ImportError.Rule(line, VatRate, DomainErrors.VatRate, rate));
                    }
                }
            }

            account.BillingAddress = values[BillingAddress].Length == 0 ? null
                : string.Join('\n', values[BillingAddress].Split(['\n', '|'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            account.VatNumber = values[VatNumber].Length == 0 ? null : values[VatNumber];
            account.PrimaryName = values[PrimaryContact];
            account.PrimaryEmail = Email(line, PrimaryEmail, values[PrimaryEmail]);
            if (values[PayablesContact].Length > 0 || values[PayablesEmail].Length > 0)
            {
                if (values[PayablesContact].Length == 0)
                {
                    errors.Add(ImportError.Of(line, PayablesContact, ImportProblem.Required));
                }

                if (values[PayablesEmail].Length == 0)
                {
                    errors.Add(ImportError.Of(line, PayablesEmail, ImportProblem.Required));
                }
                else
                {
                    account.PayablesEmail = Email(line, PayablesEmail, values[PayablesEmail]);
                }

                account.PayablesName = values[PayablesContact];
            }

            if (values[AdvisorEmail].Length > 0)
            {
                if (reference.Advisors.TryGetValue(values[AdvisorEmail], out var advisor))
                {
                    account.AdvisorId = advisor;
                }
                else
                {
                    errors.Add(ImportError.Of(line, AdvisorEmail, ImportProblem.AdvisorUnknown, values[AdvisorEmail]));
                }
            }

            if (values[Partner].Length > 0)
            {
                if (!reference.Partners.TryGetValue(values[Partner], out var partner))
                {
                    errors.Add(ImportError.Of(line, Partner, ImportProblem.PartnerUnknown, values[Partner]));
                }
                else if (partner.Contracts.Count != 1)
                {
                    errors.Add(ImportError.Of(line, Partner, ImportProblem.PartnerContracts, partner.Name, partner.Contracts.Count));
                }
                else
                {
                    account.Partner = new PartnerChoice(partner.PartnerId, partner.Contracts[0].Id, partner.Contracts[0].Domain);
                }
            }

            // The account service's own checks for what is left: the address's shape and the VAT number's.
            if (errors.Count == before)
            {
                try
                {
                    AccountService.Validate(new NewAccount(account.Name, account.Language, account.Zone.Id,
                        [new NewContact(account.PrimaryName, account.PrimaryEmail, ContactRole.Primary)], account.RequiresPurchaseOrder, account.VatRate,
                        BillingAddress: account.BillingAddress, VatNumber: account.VatNumber));
                    account.VatNumber = account.VatNumber is null ? null
                        : new string([.. account.VatNumber.Where(c => !char.IsWhiteSpace(c) && c is not '.' and not '-')]).ToUpperInvariant();
                }
                catch (DomainException refused)
                {
                    var column = refused.Code switch
                    {
                        DomainErrors.BillingAddressInvalid => BillingAddress,
                        DomainErrors.VatNumberInvalid => VatNumber,
                        _ => null,
                    };
                    errors.Add(ImportError.Rule(line, column, refused.Code, [.. refused.Arguments]));
                }
            }

            return errors.Count == before;
        }

        private bool CheckSubscription(SubscriptionPlan subscription, int line, Dictionary<string, string> values)
        {
            var before = errors.Count;
            if (Date(line, Start, values[Start]) is { } start)
            {
                subscription.Start = start;
            }

            if (int.TryParse(values[TermYears], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var years))
            {
                subscription.Years = years;
                if (years is < 1 or > 3)
                {
                    errors.Add(ImportError.Rule(line, TermYears, DomainErrors.InitialTermYears, years));
                }
            }
            else
            {
                errors.Add(ImportError.Rule(line, TermYears, DomainErrors.InitialTermYears, values[TermYears]));
            }

            subscription.Billing = Choice(line, Billing, values[Billing], Yearly, Upfront) == Upfront ? BillingMode.Upfront : BillingMode.Yearly;
            subscription.Delivery = Choice(line, LicenceDelivery, values[LicenceDelivery], Extend, WebAccount) == WebAccount
                ? Data.Model.LicenceDelivery.AvailableInWebAccount
                : Data.Model.LicenceDelivery.ExtendAutomatically;
            return errors.Count == before;
        }

        private void CheckLine(SubscriptionPlan subscription, int line, Dictionary<string, string> values)
        {
            var code = values[Product];
            if (subscription.ProductLines.TryGetValue(code, out var first))
            {
                errors.Add(ImportError.Of(line, Product, ImportProblem.ProductRepeated, subscription.Reference, code, first));
                return;
            }

            subscription.ProductLines[code] = line;
            var product = reference.Products.GetValueOrDefault(code);
            if (product is null)
            {
                errors.Add(ImportError.Rule(line, Product, DomainErrors.ProductUnknown, code));
            }

            int? quantity = null;
            if (!int.TryParse(values[Quantity], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var q))
            {
                errors.Add(ImportError.Of(line, Quantity, ImportProblem.Number, values[Quantity]));
            }
            else if (q < 1)
            {
                errors.Add(ImportError.Rule(line, Quantity, DomainErrors.LineQuantity, q));
            }
            else
            {
                quantity = q;
            }

            var price = values[YearlyUnitPrice].Length == 0 ? null : Decimal(line, YearlyUnitPrice, values[YearlyUnitPrice]);
            if (price < 0)
            {
                errors.Add(ImportError.Rule(line, YearlyUnitPrice, DomainErrors.LinePrice, price));
                return;
            }

            var currency = values[Currency].Length == 0 ? null : values[Currency];
            if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetter)))
            {
                errors.Add(ImportError.Rule(line, Currency, DomainErrors.LineCurrency, currency));
                return;
            }

            if (product is null || quantity is null || (values[YearlyUnitPrice].Length > 0 && price is null))
            {
                return;
            }

            // As a sale prices a line: its own price and currency, else the product's list price.
            (decimal Price, string Currency)? priced = price is { } p
                ? (currency ?? product.Currency) is { } c ? (p, c.ToUpperInvariant()) : null
                : product.Price is { } list && product.Currency is { } listCurrency
                    && (currency is null || string.Equals(currency, listCurrency, StringComparison.OrdinalIgnoreCase))
                    ? (list, listCurrency.ToUpperInvariant()) : null;
            if (priced is not { } done)
            {
                errors.Add(ImportError.Rule(line, YearlyUnitPrice, DomainErrors.LinePriceMissing, code));
                return;
            }

            if (subscription.Lines.Count > 0 && subscription.Lines[0].Currency != done.Currency)
            {
                errors.Add(ImportError.Rule(line, Currency, DomainErrors.LinesCurrencyMixed, $"{subscription.Lines[0].Currency}, {done.Currency}"));
                return;
            }

            subscription.Lines.Add(new LinePlan(product, quantity.Value, done.Price, done.Currency, line));
        }

        private LocalDate? Date(int line, string column, string value)
        {
            var parsed = LocalDatePattern.Iso.Parse(value);
            if (parsed.Success)
            {
                return parsed.Value;
            }

            // 29 February of a common year gets its own reason: the date is well written, the year has no such day.
            if (value.Length == 10 && value.EndsWith("-02-29", StringComparison.Ordinal)
                && int.TryParse(value.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) && !CalendarSystem.Iso.IsLeapYear(year))
            {
                errors.Add(ImportError.Of(line, column, ImportProblem.LeapDay, year));
            }
            else
            {
                errors.Add(ImportError.Of(line, column, ImportProblem.Date, value));
            }

            return null;
        }

        private decimal? Decimal(int line, string column, string value)
        {
            if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            errors.Add(ImportError.Of(line, column, ImportProblem.Number, value));
            return null;
        }

        private bool YesNo(int line, string column, string value)
        {
            switch (value.ToLowerInvariant())
            {
                case "" or No or "false":
                    return false;
                case Yes or "true":
                    return true;
                default:
                    errors.Add(ImportError.Of(line, column, ImportProblem.YesNo, value));
                    return false;
            }
        }

        private string Choice(int line, string column, string value, string first, string second)
        {
            if (value.Length == 0)
            {
                return first;
            }

            if (string.Equals(value, first, StringComparison.OrdinalIgnoreCase) || string.Equals(value, second, StringComparison.OrdinalIgnoreCase))
            {
                return value.ToLowerInvariant();
            }

            errors.Add(ImportError.Of(line, column, ImportProblem.Choice, value, $"{first}, {second}"));
            return first;
        }

        private string Email(int line, string column, string value)
        {
            if (!MailAddress.TryCreate(value, out var address) || address.Address != value)
            {
                errors.Add(ImportError.Rule(line, column, DomainErrors.ContactEmailInvalid, value));
            }

            return value;
        }
    }
}
