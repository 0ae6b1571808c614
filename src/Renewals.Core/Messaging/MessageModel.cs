using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime.Text;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Messaging;

/// <summary>
/// What a template can use, as plain dictionaries and lists (snake_case names):
/// <c>recipient</c>, <c>account</c>, <c>advisor</c>, <c>subscription</c> (with its
/// <c>products</c>), <c>portal_url</c>, <c>invoice</c> when the message carries one, and
/// the message's own values (its key dates, actions, ...) at the top level; <c>partner</c>
/// (<c>name</c>, <c>notice_days</c>, <c>files_only</c>) when the subscription was sold through
/// a partner; and the facts of the day it is rendered (see <see cref="MessageFacts"/>):
/// <c>today</c>, <c>days_left</c>, <c>deadline_status</c>, ...
/// </summary>
public static class MessageModel
{
    /// <summary>The model of <paramref name="message"/> rendered at <paramref name="now"/> (dated in the account's time zone).</summary>
    public static Task<Dictionary<string, object?>> LoadAsync(RenewalsDbContext db, OutboxMessage message, string portalUrl, NodaTime.Instant now, CancellationToken ct) =>
        LoadAsync(db, message, portalUrl, now, null, ct);

    /// <param name="batch">What the dispatcher read for the whole claimed batch; what it lacks is read here.</param>
    public static async Task<Dictionary<string, object?>> LoadAsync(RenewalsDbContext db, OutboxMessage message, string portalUrl, NodaTime.Instant now, MessageBatch? batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(message);
        var model = FromPayload(message.Payload);
        if (message.ContactId is not { } contactId || message.AccountId is not { } accountId)
        {
            // A callback acknowledgement to someone no contact matches: the request names them and their company.
            return Unmatched(message, model, portalUrl, now);
        }

        var contact = batch?.Contact(contactId)
            ?? await db.Contacts.AsNoTracking().Where(c => c.Id == contactId).Select(c => new MessageBatch.Person(c.Name, c.Email)).SingleAsync(ct);
        var account = batch?.Account(accountId)
            ?? await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(MessageBatch.AccountFacts).SingleAsync(ct);
        model["recipient"] = new Dictionary<string, object?> { ["name"] = contact.Name, ["email"] = contact.Email };
        model["account"] = new Dictionary<string, object?> { ["name"] = account.Name, ["requires_purchase_order"] = account.RequiresPurchaseOrder };
        // A message that names its advisor (a meeting's organiser) keeps it; others show the account's.
        model.TryAdd("advisor", account.Advisor is { } advisor
            ? new Dictionary<string, object?> { ["name"] = advisor.Name, ["email"] = advisor.Email }
            : null);
        model["portal_url"] = portalUrl;
        if (message.SubscriptionId is { } subscriptionId)
        {
            var products = batch?.Products(subscriptionId) ?? await db.SubscriptionLines.AsNoTracking()
                .Where(l => l.SubscriptionId == subscriptionId)
                .OrderBy(l => l.Id)
                .Select(l => new MessageBatch.Product(l.Product!.Name, l.Quantity))
                .ToListAsync(ct);
            if (message.Template == MessageKinds.Reminder)
            {
                // A reminder is about the coming term: once an amendment of it is confirmed, it lists what will renew.
                var amended = await db.Amendments.AsNoTracking()
                    .Where(a => a.SubscriptionId == subscriptionId && a.Status == AmendmentStatus.Confirmed
                        && db.Subscriptions.Any(s => s.Id == subscriptionId && s.CurrentTermNumber + 1 == a.TermNumber))
                    .SelectMany(a => a.Lines).OrderBy(l => l.Id)
                    .Join(db.Products, l => l.ProductId, p => p.Id, (l, p) => new MessageBatch.Product(p.Name, l.Quantity))
                    .ToListAsync(ct);
                if (amended.Count > 0)
                {
                    products = amended;
                }
            }

            var subscription = new Dictionary<string, object?>
            {
                ["id"] = subscriptionId,
                ["products"] = products.Select(p => new Dictionary<string, object?> { ["name"] = p.Name, ["quantity"] = p.Quantity }).ToList(),
            };
            model["subscription"] = subscription;
            await TermLengthsAsync(db, message, model, subscription, subscriptionId, account, batch, ct);
            // Read at delivery: every message about the subscription tells its partner's rules.
            var contract = batch is not null && batch.HasSubscription(subscriptionId)
                ? batch.Contract(subscriptionId)
                : await db.Subscriptions.AsNoTracking()
                    .Where(s => s.Id == subscriptionId && s.PartnerContract != null)
                    .Select(MessageBatch.ContractFacts)
                    .SingleOrDefaultAsync(ct);
            model["partner"] = contract is null ? null : MessageFacts.Partner(contract.Name, contract.NoticeDays, contract.CancellationFiledByPartnerOnly);
        }

        if (message.InvoiceId is { } invoiceId)
        {
            var invoice = batch?.Invoice(invoiceId) ?? await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Id == invoiceId, ct);
            model["invoice"] = Invoice(invoice);
        }

        var zone = NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(account.TimeZoneId) ?? NodaTime.DateTimeZone.Utc;
        MessageFacts.OfTheDay(model, now.InZone(zone).Date);
        await DropPurchaseOrderRequestOnceCoveredAsync(db, message, model, ct);
        return model;
    }

    /// <summary>
    /// Read at delivery, so a message written before an amendment changed the coming term's
    /// length (or before its withdrawal) tells the length that holds when it is read:
    /// <c>subscription.coming_term_months</c>, the length of the term that starts on the
    /// message's <c>renewal_date</c> (else the one after the current term), with a reminder's
    /// <c>earliest_end_date</c> (that term's end) brought in line; and on a message that names
    /// <c>renewed_from</c> (the renewal confirmation), <c>subscription.renewed_term_months</c>,
    /// the length of the term the renewal began, from its stored row.
    /// </summary>
    private static async Task TermLengthsAsync(
        RenewalsDbContext db, OutboxMessage message, Dictionary<string, object?> model, Dictionary<string, object?> subscription, long subscriptionId,
        MessageBatch.AccountRow account, MessageBatch? batch, CancellationToken ct)
    {
        var facts = batch is not null && batch.HasSubscription(subscriptionId)
            ? batch.Terms(subscriptionId)
            : await db.Subscriptions.AsNoTracking().Where(s => s.Id == subscriptionId).Select(MessageBatch.TermFactsOf).SingleOrDefaultAsync(ct);
        if (facts is null)
        {
            return;
        }

        var zone = NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(account.TimeZoneId) ?? NodaTime.DateTimeZone.Utc;
        var domain = Planning.DomainMapping.ToDomain(account.Name, facts.Start, facts.InitialTermYears, zone, facts.Billing, null, isFirstInFamily: false, facts.RenewalLengths);
        var coming = Date(model, "renewal_date") is { } renewal && renewal >= domain.Term(1).End
            ? domain.TermContaining(renewal)
            : domain.Term(facts.CurrentTermNumber + 1);
        subscription["coming_term_months"] = Months(domain, coming.Number);
        if (message.Template == MessageKinds.Reminder && model.ContainsKey("earliest_end_date"))
        {
            // The earliest end once the notice period is over is the coming term's end: as long as it is now.
            model["earliest_end_date"] = Iso(coming.End);
        }

        if (Date(model, "renewed_from") is { } renewedFrom && renewedFrom >= domain.Term(1).End)
        {
            var begun = batch is not null && batch.HasSubscription(subscriptionId)
                ? batch.TermStarting(subscriptionId, renewedFrom)
                : await db.Terms.AsNoTracking().Where(t => t.SubscriptionId == subscriptionId && t.Start == renewedFrom)
                    .Select(t => new MessageBatch.TermDates(t.Start, t.End)).FirstOrDefaultAsync(ct);
            subscription["renewed_term_months"] = begun is not null
                ? NodaTime.Period.Between(begun.Start, begun.End, NodaTime.PeriodUnits.Months).Months
                : Months(domain, domain.TermContaining(renewedFrom).Number);
        }
    }

    private static int Months(Domain.Subscriptions.Subscription subscription, int termNumber) =>
        Domain.Subscriptions.Subscription.RenewalTermMonths * subscription.YearsOf(termNumber);

    private static NodaTime.LocalDate? Date(Dictionary<string, object?> model, string name) =>
        model.GetValueOrDefault(name) is string text && LocalDatePattern.Iso.Parse(text) is { Success: true } parsed ? parsed.Value : null;

    /// <summary>The model of a message to someone who is no contact: its payload names the recipient (recipient_name), the company and the time zone.</summary>
    private static Dictionary<string, object?> Unmatched(OutboxMessage message, Dictionary<string, object?> model, string portalUrl, NodaTime.Instant now)
    {
        model["recipient"] = new Dictionary<string, object?> { ["name"] = model.GetValueOrDefault("recipient_name"), ["email"] = message.ToEmail };
        model["account"] = new Dictionary<string, object?> { ["name"] = model.GetValueOrDefault("company"), ["requires_purchase_order"] = false };
        model.TryAdd("advisor", null);
        model["portal_url"] = portalUrl;
        var zone = model.GetValueOrDefault("time_zone") is string id ? NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) : null;
        MessageFacts.OfTheDay(model, now.InZone(zone ?? NodaTime.DateTimeZone.Utc).Date);
        return model;
    }

    /// <summary>
    /// A reminder asks for a purchase order when none covered the renewal as it was written; one
    /// registered since (the delivery came later) makes the request moot, so it is not repeated.
    /// </summary>
    private static async Task DropPurchaseOrderRequestOnceCoveredAsync(RenewalsDbContext db, OutboxMessage message, Dictionary<string, object?> model, CancellationToken ct)
    {
        const string request = "issue-purchase-order";
        if (model.GetValueOrDefault("actions") is not List<object?> actions || !actions.Contains(request)
            || model.GetValueOrDefault("renewal_date") is not string renewal || LocalDatePattern.Iso.Parse(renewal) is not { Success: true } parsed)
        {
            return;
        }

        // The same rule the engine used when it wrote the request: would the renewal's invoice,
        // issued on the renewal date for the coming 12 months, carry an order now?
        // The payload's earliest end is the end of the coming term: the invoice's period is [renewal, that).
        var renewalDate = parsed.Value;
        var comingEnd = model.GetValueOrDefault("earliest_end_date") is string end && LocalDatePattern.Iso.Parse(end) is { Success: true } e
            ? e.Value
            : renewalDate.PlusMonths(12);
        var orders = message.AccountId is { } accountId ? await Invoicing.PurchaseOrderService.TermsAsync(db, accountId, ct) : [];
        var covered = message.SubscriptionId is { } subscriptionId
            && Domain.Invoicing.PurchaseOrderCover.Find(orders,
                new Domain.Invoicing.InvoiceToCover(subscriptionId, renewalDate, comingEnd, renewalDate)) is not null;
        if (covered)
        {
            actions.Remove(request);
        }
    }

    public static Dictionary<string, object?> Invoice(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var vat = invoice.Total - invoice.Net;
        return new Dictionary<string, object?>
        {
            ["number"] = invoice.Number,
            ["issued_on"] = Iso(invoice.IssuedOn),
            ["due_on"] = Iso(invoice.DueOn),
            ["period_start"] = Iso(invoice.PeriodStart),
            ["period_end"] = Iso(invoice.PeriodEnd),
            // The stored end is exclusive; people read the last day covered.
            ["period_last_day"] = Iso(invoice.PeriodEnd.PlusDays(-1)),
            ["currency"] = invoice.Currency,
            ["net"] = invoice.Net,
            ["vat_rate"] = invoice.VatRate,
            ["vat"] = vat,
            ["total"] = invoice.Total,
            ["po_number"] = invoice.PurchaseOrderNumber,
            ["lines"] = invoice.Lines.Select(l => new Dictionary<string, object?>
            {
                ["description"] = l.Description,
                ["quantity"] = l.Quantity,
                ["unit_price"] = l.UnitPrice,
                ["amount"] = l.Amount,
            }).ToList(),
        };
    }

    /// <summary>The outbox payload (JSON) as dictionaries, lists, strings, numbers and booleans.</summary>
    public static Dictionary<string, object?> FromPayload(string json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? (Dictionary<string, object?>)Convert(document.RootElement)!
            : new Dictionary<string, object?>(StringComparer.Ordinal);
    }

    private static object? Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static string Iso(NodaTime.LocalDate date) => LocalDatePattern.Iso.Format(date);
}

/// <summary>
/// What the messages of one claimed batch need from other tables (contacts, accounts and their
/// advisors, subscription lines, partner contracts, invoices and their lines, the stored template
/// versions), read in a few set queries before the batch is delivered instead of several queries
/// a message. Read a moment before each message is claimed (the length of a batch), as the
/// templates were always read a moment before the send: what was committed then is what is told.
/// A message whose rows are not here (a contact deleted since) is read on its own, as before.
/// </summary>
public sealed class MessageBatch
{
    /// <summary>A contact as a message names it.</summary>
    public sealed record Person(string Name, string Email);

    /// <summary>An account as a message needs it.</summary>
    public sealed record AccountRow(string Name, bool RequiresPurchaseOrder, string TimeZoneId, Person? Advisor);

    /// <summary>A product line of a subscription.</summary>
    public sealed record Product(string Name, int Quantity);

    /// <summary>The partner's rules told to the customer.</summary>
    public sealed record ContractRow(string Name, int NoticeDays, bool CancellationFiledByPartnerOnly);

    internal static readonly System.Linq.Expressions.Expression<Func<Account, AccountRow>> AccountFacts = a =>
        new AccountRow(a.Name, a.RequiresPurchaseOrder, a.TimeZoneId, a.Advisor == null ? null : new Person(a.Advisor.Name, a.Advisor.Email));

    /// <summary>What the terms' dates and lengths follow from (the renewal lengths confirmed amendments chose).</summary>
    public sealed record TermFacts(long SubscriptionId, NodaTime.LocalDate Start, int InitialTermYears, Domain.Subscriptions.BillingMode Billing, string? RenewalLengths, int CurrentTermNumber);

    /// <summary>A stored term's first day and exclusive end.</summary>
    public sealed record TermDates(NodaTime.LocalDate Start, NodaTime.LocalDate End);

    internal static readonly System.Linq.Expressions.Expression<Func<Subscription, TermFacts>> TermFactsOf = s =>
        new TermFacts(s.Id, s.Start, s.InitialTermYears, s.Billing, s.RenewalLengths, s.CurrentTermNumber);

    internal static readonly System.Linq.Expressions.Expression<Func<Subscription, ContractRow>> ContractFacts = s =>
        new ContractRow(s.PartnerContract!.Partner!.Name, s.PartnerContract.NoticeDays, s.PartnerContract.CancellationFiledByPartnerOnly);

    private readonly Dictionary<long, Person> _contacts;
    private readonly Dictionary<long, AccountRow> _accounts;
    private readonly Dictionary<long, List<Product>> _products;
    private readonly Dictionary<long, ContractRow> _contracts;
    private readonly Dictionary<long, Invoice> _invoices;
    private readonly Dictionary<long, TermFacts> _terms;
    private readonly Dictionary<long, List<TermDates>> _storedTerms;

    private MessageBatch(Dictionary<long, Person> contacts, Dictionary<long, AccountRow> accounts, Dictionary<long, List<Product>> products,
        Dictionary<long, ContractRow> contracts, Dictionary<long, Invoice> invoices, StoredTemplates templates,
        Dictionary<long, TermFacts> terms, Dictionary<long, List<TermDates>> storedTerms)
    {
        _contacts = contacts;
        _accounts = accounts;
        _products = products;
        _contracts = contracts;
        _invoices = invoices;
        _terms = terms;
        _storedTerms = storedTerms;
        Templates = templates;
    }

    /// <summary>The current stored version of every part of every kind and language.</summary>
    public StoredTemplates Templates { get; }

    public Person? Contact(long id) => _contacts.GetValueOrDefault(id);

    public AccountRow? Account(long id) => _accounts.GetValueOrDefault(id);

    /// <summary>A copy: a reminder may replace it with an amendment's lines.</summary>
    public List<Product>? Products(long subscriptionId) => _products.TryGetValue(subscriptionId, out var lines) ? [.. lines] : null;

    public bool HasSubscription(long subscriptionId) => _products.ContainsKey(subscriptionId);

    public ContractRow? Contract(long subscriptionId) => _contracts.GetValueOrDefault(subscriptionId);

    public Invoice? Invoice(long id) => _invoices.GetValueOrDefault(id);

    public TermFacts? Terms(long subscriptionId) => _terms.GetValueOrDefault(subscriptionId);

    /// <summary>The stored term that starts on <paramref name="start"/> (read for the messages that name a renewal).</summary>
    public TermDates? TermStarting(long subscriptionId, NodaTime.LocalDate start) =>
        _storedTerms.GetValueOrDefault(subscriptionId)?.FirstOrDefault(t => t.Start == start);

    /// <summary>Reads what <paramref name="messages"/> need, a handful of queries whatever their number.</summary>
    public static async Task<MessageBatch> LoadAsync(RenewalsDbContext db, IReadOnlyCollection<OutboxMessage> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(messages);
        var contactIds = messages.Where(m => m.ContactId is not null && m.AccountId is not null).Select(m => m.ContactId!.Value).Distinct().ToList();
        var accountIds = messages.Where(m => m.ContactId is not null && m.AccountId is not null).Select(m => m.AccountId!.Value).Distinct().ToList();
        var subscriptionIds = messages.Where(m => m.ContactId is not null && m.AccountId is not null && m.SubscriptionId is not null)
            .Select(m => m.SubscriptionId!.Value).Distinct().ToList();
        var invoiceIds = messages.Where(m => m.ContactId is not null && m.AccountId is not null && m.InvoiceId is not null)
            .Select(m => m.InvoiceId!.Value).Distinct().ToList();

        var contacts = contactIds.Count == 0 ? [] : await db.Contacts.AsNoTracking().Where(c => contactIds.Contains(c.Id))
            .Select(c => new { c.Id, Person = new Person(c.Name, c.Email) }).ToDictionaryAsync(c => c.Id, c => c.Person, ct);
        var accounts = new Dictionary<long, AccountRow>();
        if (accountIds.Count > 0)
        {
            var rows = await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id))
                .Select(a => new { a.Id, a.Name, a.RequiresPurchaseOrder, a.TimeZoneId, AdvisorName = a.Advisor == null ? null : a.Advisor.Name, AdvisorEmail = a.Advisor == null ? null : a.Advisor.Email })
                .ToListAsync(ct);
            foreach (var a in rows)
            {
                accounts[a.Id] = new AccountRow(a.Name, a.RequiresPurchaseOrder, a.TimeZoneId, a.AdvisorName is null ? null : new Person(a.AdvisorName, a.AdvisorEmail!));
            }
        }

        var products = subscriptionIds.ToDictionary(id => id, _ => new List<Product>());
        var contracts = new Dictionary<long, ContractRow>();
        var terms = new Dictionary<long, TermFacts>();
        var storedTerms = new Dictionary<long, List<TermDates>>();
        if (subscriptionIds.Count > 0)
        {
            var lines = await db.SubscriptionLines.AsNoTracking().Where(l => subscriptionIds.Contains(l.SubscriptionId))
                .OrderBy(l => l.Id).Select(l => new { l.SubscriptionId, l.Product!.Name, l.Quantity }).ToListAsync(ct);
            foreach (var line in lines)
            {
                products[line.SubscriptionId].Add(new Product(line.Name, line.Quantity));
            }

            var sold = await db.Subscriptions.AsNoTracking().Where(s => subscriptionIds.Contains(s.Id) && s.PartnerContract != null)
                .Select(s => new { s.Id, s.PartnerContract!.Partner!.Name, s.PartnerContract.NoticeDays, s.PartnerContract.CancellationFiledByPartnerOnly })
                .ToListAsync(ct);
            foreach (var s in sold)
            {
                contracts[s.Id] = new ContractRow(s.Name, s.NoticeDays, s.CancellationFiledByPartnerOnly);
            }

            var facts = await db.Subscriptions.AsNoTracking().Where(s => subscriptionIds.Contains(s.Id))
                .Select(TermFactsOf).ToListAsync(ct);
            foreach (var f in facts)
            {
                terms[f.SubscriptionId] = f;
            }

            // Only a renewal's messages name the term it began; the others need no stored term.
            var renewed = messages.Where(m => m.Template == MessageKinds.RenewalConfirmation && m.SubscriptionId is { } id && subscriptionIds.Contains(id))
                .Select(m => m.SubscriptionId!.Value).Distinct().ToList();
            if (renewed.Count > 0)
            {
                var rows = await db.Terms.AsNoTracking().Where(t => renewed.Contains(t.SubscriptionId))
                    .Select(t => new { t.SubscriptionId, Dates = new TermDates(t.Start, t.End) }).ToListAsync(ct);
                foreach (var row in rows)
                {
                    (storedTerms.TryGetValue(row.SubscriptionId, out var list) ? list : storedTerms[row.SubscriptionId] = []).Add(row.Dates);
                }
            }
        }

        var invoices = invoiceIds.Count == 0 ? [] : await db.Invoices.AsNoTracking().Include(i => i.Lines).Where(i => invoiceIds.Contains(i.Id))
            .AsSplitQuery().ToDictionaryAsync(i => i.Id, ct);
        return new MessageBatch(contacts, accounts, products, contracts, invoices, await StoredTemplates.AllCurrentAsync(db, ct), terms, storedTerms);
    }
}
