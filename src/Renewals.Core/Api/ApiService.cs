using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Accounts;
using Renewals.Core.Cancellations;
using Renewals.Core.Hosting;
using Renewals.Core.Invoicing;
using Renewals.Core.Licensing;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Api;

/// <summary>One page of a list, and the id to continue after (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long? NextAfter);

/// <summary>An issued invoice or credit note as the API lists it.</summary>
public sealed record ApiInvoice(
    long Id, string Number, InvoiceDocumentKind Kind, long AccountId, long SubscriptionId, LocalDate IssuedOn, decimal Net, decimal Total, string Currency,
    string? PurchaseOrderNumber, string? Status = null);

/// <summary>A purchase order as the API lists it.</summary>
public sealed record ApiPurchaseOrder(long Id, long AccountId, string Number, long? SubscriptionId, LocalDate? ValidFrom, LocalDate? ValidUntil, decimal? Amount);

/// <summary>A renewal advisor's task, as the API shows it (a callback from someone not yet a customer has no account).</summary>
public sealed record ApiTask(
    long Id, long? AccountId, long? SubscriptionId, string Kind, LocalDate DueOn, AdvisorTaskStatus Status, bool RecommendedValidation, string? Details,
    Instant CreatedAt, Instant? ClosedAt, string? Outcome);

/// <summary>A message and where its delivery stands (the acknowledgement of a public callback request has no account).</summary>
public sealed record ApiMessage(
    long Id, long? AccountId, long? SubscriptionId, string Template, string ToEmail, string Language, OutboxStatus Status, int Attempts,
    Instant CreatedAt, Instant? SentAt);

/// <summary>A document to download: its name, type and bytes.</summary>
public sealed record ApiFile(string FileName, string ContentType, byte[] Bytes);

/// <summary>
/// What /api/v1 does, over the same services as the other faces. Every call takes the actor
/// the key stands for (an administrator, or a partner reaching its own customers) and checks
/// ownership here: another partner's account, subscription, notice or invoice is "unknown".
/// </summary>
public sealed class ApiService(
    RenewalsDbContext db, IClock clock, AccountService accounts, SubscriptionService subscriptions, SubscriptionQueries queries,
    CancellationService cancellations, PurchaseOrderService orders, LicenceService licences, LicenceKeyring keyring, Seller seller)
{
    public const int MaxLimit = 100;

    // --- accounts and contacts ---------------------------------------------------------------

    public async Task<Page<AccountSummary>> AccountsAsync(Actor actor, long after, int limit, CancellationToken ct = default)
    {
        var rows = await db.Accounts.AsNoTracking().VisibleTo(actor).Where(a => a.Id > after).OrderBy(a => a.Id).Take(limit + 1)
            .Select(a => new AccountSummary(a.Id, a.Name, a.Language, a.TimeZoneId, a.Advisor!.Name, a.Partner!.Name, a.Subscriptions.Count))
            .ToListAsync(ct);
        return PageOf(rows, limit, a => a.Id);
    }

    public async Task<AccountDetails> AccountAsync(Actor actor, long accountId, CancellationToken ct = default)
    {
        await AccountMustBeVisibleAsync(actor, accountId, ct);
        return await accounts.ShowAsync(accountId, ct);
    }

    /// <summary>Creates an account; a partner's key makes one of the partner's own customers, whatever the body says.</summary>
    public async Task<AccountDetails> CreateAccountAsync(Actor actor, NewAccount input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        var scoped = actor switch
        {
            Actor.Partner partner => input with { PartnerId = partner.Id, AdvisorId = null },
            Actor.Admin or Actor.OperatorConsole => input,
            _ => throw new DomainException(DomainErrors.AdministratorsOnly),
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var account = await accounts.CreateAsync(scoped, ct);
        Audit(actor, "account.created", "account", account.Id, null);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return await accounts.ShowAsync(account.Id, ct);
    }

    public async Task<Page<ContactView>> ContactsAsync(Actor actor, long accountId, long after, int limit, CancellationToken ct = default)
    {
        await AccountMustBeVisibleAsync(actor, accountId, ct);
        var rows = await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId && c.Id > after).OrderBy(c => c.Id).Take(limit + 1)
            .Select(c => new ContactView(c.Id, c.AccountId, c.Name, c.Email, c.Role, c.Language)).ToListAsync(ct);
        return PageOf(rows, limit, c => c.Id);
    }

    public async Task<ContactView> AddContactAsync(Actor actor, long accountId, NewContact input, CancellationToken ct = default)
    {
        await AccountMustBeVisibleAsync(actor, accountId, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var contact = await accounts.AddContactAsync(accountId, input, ct);
        Audit(actor, "contact.added", "account", accountId, $"contact {contact.Id}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return contact;
    }

    // --- subscriptions and notices -----------------------------------------------------------

    public async Task<Page<SubscriptionSummary>> SubscriptionsAsync(Actor actor, long after, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        // A key that sees every account gets no account filter: with one, SQLite walks every account's
        // subscriptions and sorts them to find a page (about a second at 1,000,000; docs/performance.md).
        var rows = await db.Subscriptions.OfAccountsVisibleTo(db.Accounts, actor, s => s.AccountId).AsNoTracking().Where(s => s.Id > after).OrderBy(s => s.Id).Take(limit + 1)
            .Select(s => new SubscriptionSummary(s.Id, s.AccountId, s.Account!.Name, s.Status, s.Start, s.InitialTermYears, s.Billing,
                s.CurrentTermNumber, s.EndsOn, s.PartnerContract!.Partner!.Name))
            .ToListAsync(ct);
        return PageOf(rows, limit, s => s.Id);
    }

    /// <summary>Sells a subscription starting today or later and plans its key dates; the account (and a partner contract) must be the caller's.</summary>
    public async Task<SubscriptionDetails> SellAsync(Actor actor, NewSubscription input, CultureInfo culture, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        await AccountMustBeVisibleAsync(actor, input.AccountId, ct);
        if (actor is Actor.Partner partner && input.PartnerContractId is { } contractId
            && !await db.PartnerContracts.AnyAsync(c => c.Id == contractId && c.PartnerId == partner.Id, ct))
        {
            throw new DomainException(DomainErrors.PartnerContractUnknown, contractId);
        }

        var sold = await subscriptions.SellAsync(input, ct);
        Audit(actor, "subscription.sold", "subscription", sold.Id, "api");
        await db.SaveChangesAsync(ct);
        return await queries.ShowAsync(sold.Id, culture, ct);
    }

    public async Task<SubscriptionDetails> SubscriptionAsync(Actor actor, long subscriptionId, CultureInfo culture, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        // An actor who sees every account needs no check: the read itself answers SubscriptionUnknown for an id that is not there.
        if (!actor.SeesEverything)
        {
            await SubscriptionMustBeVisibleAsync(actor, subscriptionId, ct);
        }

        return await queries.ShowAsync(subscriptionId, culture, ct);
    }

    /// <summary>Files a written notice: a partner's key files it as the partner; an administrator's as the body says.</summary>
    public async Task<NoticeView> FileNoticeAsync(Actor actor, long subscriptionId, WrittenNotice notice, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(notice);
        await SubscriptionMustBeVisibleAsync(actor, subscriptionId, ct);
        var filed = actor is Actor.Partner ? new WrittenNotice(notice.ReceivedAt, notice.Channel, notice.SignedBy, notice.DocumentSha256, NoticeFiler.Partner) : notice;
        return await cancellations.FileAsync(subscriptionId, filed, actor.AuditName, null, ct);
    }

    public async Task<NoticeView> NoticeAsync(Actor actor, long noticeId, CancellationToken ct = default)
    {
        var subscriptionId = await db.CancellationNotices.AsNoTracking().Where(n => n.Id == noticeId).Select(n => (long?)n.SubscriptionId).SingleOrDefaultAsync(ct);
        if (subscriptionId is null || !await IsVisibleSubscriptionAsync(actor, subscriptionId.Value, ct))
        {
            throw new DomainException(DomainErrors.NoticeUnknown, noticeId);
        }

        return (await cancellations.ListAsync(subscriptionId, ct)).Single(n => n.Id == noticeId);
    }

    public async Task<NoticeView> WithdrawNoticeAsync(Actor actor, long noticeId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await NoticeAsync(actor, noticeId, ct);
        return await cancellations.WithdrawAsync(noticeId, actor.AuditName, ct);
    }

    // --- purchase orders, invoices, credit notes, licences -------------------------------------

    public async Task<Page<ApiPurchaseOrder>> PurchaseOrdersAsync(Actor actor, long after, int limit, CancellationToken ct = default)
    {
        var rows = await db.PurchaseOrders.OfAccountsVisibleTo(db.Accounts, actor, p => p.AccountId).AsNoTracking().Where(p => p.Id > after).OrderBy(p => p.Id).Take(limit + 1)
            .Select(p => new ApiPurchaseOrder(p.Id, p.AccountId, p.Number, p.SubscriptionId, p.ValidFrom, p.ValidUntil, p.Amount)).ToListAsync(ct);
        return PageOf(rows, limit, p => p.Id);
    }

    public async Task<ApiPurchaseOrder> RegisterPurchaseOrderAsync(Actor actor, NewPurchaseOrder input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        await AccountMustBeVisibleAsync(actor, input.AccountId, ct);
        var p = await orders.RegisterAsync(input, actor.AuditName, ct);
        return new ApiPurchaseOrder(p.Id, p.AccountId, p.Number, p.SubscriptionId, p.ValidFrom, p.ValidUntil, p.Amount);
    }

    public async Task<Page<ApiInvoice>> InvoicesAsync(Actor actor, long after, int limit, CancellationToken ct = default)
    {
        var rows = await db.Invoices.OfAccountsVisibleTo(db.Accounts, actor, i => i.AccountId).AsNoTracking().Where(i => i.Number != null && i.Id > after).OrderBy(i => i.Id).Take(limit + 1)
            .Select(i => new ApiInvoice(i.Id, i.Number!, InvoiceDocumentKind.Invoice, i.AccountId, i.SubscriptionId, i.IssuedOn, i.Net, i.Total, i.Currency, i.PurchaseOrderNumber))
            .ToListAsync(ct);
        return PageOf(await WithStatusAsync(rows, ct), limit, i => i.Id);
    }

    /// <summary>The invoices with their status (issued, paid, part-paid, overdue, disputed, credited) on the vendor's date.</summary>
    private async Task<List<ApiInvoice>> WithStatusAsync(List<ApiInvoice> invoices, CancellationToken ct)
    {
        var ids = invoices.Select(i => i.Id).ToList();
        var states = await Payments.InvoiceStatuses.ReadAsync(db, db.Invoices.Where(i => ids.Contains(i.Id)).Select(i => i.Id),
            seller.Today(clock.GetCurrentInstant()), ct);
        return [.. invoices.Select(i => i with { Status = states.TryGetValue(i.Id, out var s) ? s.Code : null })];
    }

    /// <summary>One numbered invoice of the caller's; null when there is none it may see.</summary>
    public async Task<ApiInvoice?> InvoiceAsync(Actor actor, long invoiceId, CancellationToken ct = default)
    {
        var invoice = await db.Invoices.OfAccountsVisibleTo(db.Accounts, actor, i => i.AccountId).AsNoTracking().Where(i => i.Id == invoiceId && i.Number != null)
            .Select(i => new ApiInvoice(i.Id, i.Number!, InvoiceDocumentKind.Invoice, i.AccountId, i.SubscriptionId, i.IssuedOn, i.Net, i.Total, i.Currency, i.PurchaseOrderNumber))
            .SingleOrDefaultAsync(ct);
        return invoice is null ? null : (await WithStatusAsync([invoice], ct))[0];
    }

    public async Task<ApiFile?> InvoicePdfAsync(Actor actor, long invoiceId, CancellationToken ct = default) =>
        await InvoiceAsync(actor, invoiceId, ct) is null || await InvoiceDocuments.LoadAsync(db, invoiceId, seller, ct) is not { } document
            ? null
            : new ApiFile($"{document.Number}.pdf", "application/pdf", InvoicePdf.Render(document));

    public async Task<Page<ApiInvoice>> CreditNotesAsync(Actor actor, long after, int limit, CancellationToken ct = default)
    {
        var rows = await db.CreditNotes.OfAccountsVisibleTo(db.Accounts, actor, c => c.AccountId).AsNoTracking().Where(c => c.Id > after).OrderBy(c => c.Id).Take(limit + 1)
            .Select(c => new ApiInvoice(c.Id, c.Number, InvoiceDocumentKind.CreditNote, c.AccountId, c.SubscriptionId, c.IssuedOn, c.Net, c.Total, c.Currency, null))
            .ToListAsync(ct);
        return PageOf(rows, limit, c => c.Id);
    }

    public async Task<ApiInvoice?> CreditNoteAsync(Actor actor, long creditNoteId, CancellationToken ct = default)
    {
        return await db.CreditNotes.OfAccountsVisibleTo(db.Accounts, actor, c => c.AccountId).AsNoTracking().Where(c => c.Id == creditNoteId)
            .Select(c => new ApiInvoice(c.Id, c.Number, InvoiceDocumentKind.CreditNote, c.AccountId, c.SubscriptionId, c.IssuedOn, c.Net, c.Total, c.Currency, null))
            .SingleOrDefaultAsync(ct);
    }

    public async Task<ApiFile?> CreditNotePdfAsync(Actor actor, long creditNoteId, CancellationToken ct = default) =>
        await CreditNoteAsync(actor, creditNoteId, ct) is null || await CreditNoteDocuments.LoadAsync(db, creditNoteId, seller, ct) is not { } document
            ? null
            : new ApiFile($"{document.Number}.pdf", "application/pdf", CreditNotePdf.Render(document));

    /// <summary>The signed licence file of the subscription's current term, its issue audited as the caller's.</summary>
    /// <exception cref="LicenceException">The term carries no rights to license.</exception>
    public async Task<ApiFile> LicenceAsync(Actor actor, long subscriptionId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await SubscriptionMustBeVisibleAsync(actor, subscriptionId, ct);
        var issued = await licences.IssueAsync(subscriptionId, null, keyring.Key, actor.AuditName, ct);
        return new ApiFile($"licence-{subscriptionId}-term-{issued.Licence.TermNumber}.lic", "text/plain", issued.Bytes);
    }

    // --- advisor tasks and messages ---------------------------------------------------------

    public async Task<Page<ApiTask>> TasksAsync(Actor actor, long after, int limit, CancellationToken ct = default)
    {
        var rows = await TaskRows(VisibleTasks(actor).Where(t => t.Id > after).OrderBy(t => t.Id).Take(limit + 1)).ToListAsync(ct);
        return PageOf(rows, limit, t => t.Id);
    }

    public async Task<ApiTask?> TaskAsync(Actor actor, long taskId, CancellationToken ct = default) =>
        await TaskRows(VisibleTasks(actor).Where(t => t.Id == taskId)).SingleOrDefaultAsync(ct);

    public async Task<Page<ApiMessage>> MessagesAsync(Actor actor, long after, int limit, CancellationToken ct = default)
    {
        var rows = await MessageRows(VisibleMessages(actor).Where(m => m.Id > after).OrderBy(m => m.Id).Take(limit + 1)).ToListAsync(ct);
        return PageOf(rows, limit, m => m.Id);
    }

    public async Task<ApiMessage?> MessageAsync(Actor actor, long messageId, CancellationToken ct = default) =>
        await MessageRows(VisibleMessages(actor).Where(m => m.Id == messageId)).SingleOrDefaultAsync(ct);

    // What belongs to no account (a public callback request and its acknowledgement) is the whole
    // system's: admin keys only. Everything else follows the accounts the key reaches.
    private IQueryable<AdvisorTask> VisibleTasks(Actor actor)
    {
        var visible = db.Accounts.VisibleTo(actor).Select(a => (long?)a.Id);
        var everything = actor is Actor.Admin;
        return db.AdvisorTasks.AsNoTracking().Where(t => (everything && t.AccountId == null) || visible.Contains(t.AccountId));
    }

    private IQueryable<OutboxMessage> VisibleMessages(Actor actor)
    {
        var visible = db.Accounts.VisibleTo(actor).Select(a => (long?)a.Id);
        var everything = actor is Actor.Admin;
        return db.Outbox.AsNoTracking().Where(m => (everything && m.AccountId == null) || visible.Contains(m.AccountId));
    }

    private static IQueryable<ApiTask> TaskRows(IQueryable<AdvisorTask> tasks) =>
        tasks.Select(t => new ApiTask(t.Id, t.AccountId, t.SubscriptionId, t.Kind, t.DueOn, t.Status, t.RecommendedValidation, t.Details, t.CreatedAt, t.ClosedAt, t.Outcome));

    private static IQueryable<ApiMessage> MessageRows(IQueryable<OutboxMessage> messages) =>
        messages.Select(m => new ApiMessage(m.Id, m.AccountId, m.SubscriptionId, m.Template, m.ToEmail, m.Language, m.Status, m.Attempts, m.CreatedAt, m.SentAt));

    // --- ownership ----------------------------------------------------------------------------

    private async Task AccountMustBeVisibleAsync(Actor actor, long accountId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!await db.Accounts.VisibleTo(actor).AnyAsync(a => a.Id == accountId, ct))
        {
            throw new DomainException(DomainErrors.AccountUnknown, accountId);
        }
    }

    private async Task SubscriptionMustBeVisibleAsync(Actor actor, long subscriptionId, CancellationToken ct)
    {
        if (!await IsVisibleSubscriptionAsync(actor, subscriptionId, ct))
        {
            throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);
        }
    }

    private Task<bool> IsVisibleSubscriptionAsync(Actor actor, long subscriptionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return db.Subscriptions.OfAccountsVisibleTo(db.Accounts, actor, s => s.AccountId).AnyAsync(s => s.Id == subscriptionId, ct);
    }

    private void Audit(Actor actor, string action, string entity, long entityId, string? details) =>
        db.Audit.Add(new AuditEntry { At = clock.GetCurrentInstant(), Actor = actor.AuditName, Action = action, Entity = entity, EntityId = entityId, Details = details });

    private static Page<T> PageOf<T>(List<T> rows, int limit, Func<T, long> id) =>
        rows.Count > limit ? new Page<T>(rows[..limit], id(rows[limit - 1])) : new Page<T>(rows, null);
}
