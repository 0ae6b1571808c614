using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Invoicing;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteInvoiceReissueTests() : InvoiceReissueTests(DatabaseProvider.Sqlite);

public sealed class PostgresInvoiceReissueTests() : InvoiceReissueTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Putting right an invoice issued without its purchase order (rule 2): a credit note from its
/// own gapless yearly sequence cancels it, a new invoice carries the order, both go to accounts
/// payable with their PDF; any refusal changes nothing.
/// </summary>
public abstract class InvoiceReissueTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task A_reissue_credits_the_invoice_in_full_and_issues_a_new_one_with_the_order_in_one_go()
    {
        var (account, subscription) = await IssuedWithoutOrderAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 3, 9, 0));
        var order = await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-7781", subscription.Id));
        var reissuable = await ReissueService(db => db.CoveredByAsync(order.Id));
        Assert.Equal([("INV-2027-000001", "PO-7781")], reissuable.Select(r => (r.Number, r.PurchaseOrderNumber)));

        var done = await ReissueService(db => db.ReissueAsync(" inv-2027-000001 ", "operator"));

        Assert.Equal(new ReissuedInvoice("INV-2027-000001", "CN-2027-000001", "INV-2027-000002", "PO-7781", Date("2027-02-03"), 14_814.72m, "EUR", "ap@acme.example"), done);
        await using var db = Database.Context();
        var original = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Number == "INV-2027-000001");
        var replacement = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Number == "INV-2027-000002");
        var note = await db.CreditNotes.AsNoTracking().SingleAsync();
        Assert.Equal(("CN-2027-000001", original.Id, Date("2027-02-03"), 12_345.60m, 14_814.72m, "EUR"),
            (note.Number, note.InvoiceId, note.IssuedOn, note.Net, note.Total, note.Currency));
        Assert.Equal((original.Id, (long?)null, "PO-7781", Date("2027-02-03"), Date("2027-03-05")),
            (replacement.ReplacesInvoiceId, replacement.MilestoneId, replacement.PurchaseOrderNumber, replacement.IssuedOn, replacement.DueOn));
        Assert.Equal((InvoiceKind.Initial, Date("2027-01-15"), Date("2028-01-15"), 12_345.60m, 0.20m, 14_814.72m),
            (replacement.Kind, replacement.PeriodStart, replacement.PeriodEnd, replacement.Net, replacement.VatRate, replacement.Total));
        Assert.Equal([("Product DSN-PRO", 10, 1234.56m, 12_345.60m, Date("2027-01-15"), Date("2028-01-15"))],
            replacement.Lines.Select(l => (l.Description, l.Quantity, l.UnitPrice, l.Amount, l.PeriodStart, l.PeriodEnd)));
        Assert.Null(original.PurchaseOrderNumber);

        var messages = await db.Outbox.AsNoTracking().Where(m => m.MilestoneId == null).OrderBy(m => m.Id).ToListAsync();
        Assert.Equal(
            [(MessageKinds.CreditNote, "ap@acme.example", (long?)note.Id, (long?)null), (MessageKinds.Invoice, "ap@acme.example", null, (long?)replacement.Id)],
            messages.Select(m => (m.Template, m.ToEmail, m.CreditNoteId, m.InvoiceId)));
        Assert.Equal(["credit-note.issued", "invoice.credited", "invoice.reissued"],
            (await db.Audit.AsNoTracking().Where(a => a.Action.StartsWith("invoice.") || a.Action.StartsWith("credit-note.")).Select(a => a.Action).ToListAsync()).Order(StringComparer.Ordinal));
        Assert.Empty(await ReissueService(d => d.CoveredByAsync(order.Id)));
    }

    [Fact]
    public async Task Accounts_payable_receives_the_credit_note_and_the_new_invoice_each_with_its_pdf()
    {
        var (account, subscription) = await IssuedWithoutOrderAsync(language: "fr");
        await DeliverAllAsync(Instant.FromUtc(2027, 1, 16, 8, 0));
        Clock.Reset(Instant.FromUtc(2027, 2, 3, 9, 0));
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-7781", subscription.Id));
        await ReissueService(db => db.ReissueAsync("INV-2027-000001", "operator"));

        var received = await DeliverAllAsync(Clock.GetCurrentInstant());

        Assert.Equal(2, received.Count);
        var credit = Assert.Single(received, m => m.Headers["X-Renewals-Template"] == MessageKinds.CreditNote);
        var invoice = Assert.Single(received, m => m.Headers["X-Renewals-Template"] == MessageKinds.Invoice);
        Assert.All(received, m => Assert.Equal("ap@acme.example", Assert.Single(m.To.Mailboxes).Address));
        Assert.Contains("Avoir CN-2027-000001", credit.Subject, StringComparison.Ordinal);
        Assert.Contains("annule en totalité la facture INV-2027-000001", PdfText.Normalise(credit.TextBody ?? ""), StringComparison.Ordinal);
        Assert.Contains("remplacée par la facture INV-2027-000002, qui porte votre bon de commande PO-7781", PdfText.Normalise(credit.TextBody ?? ""), StringComparison.Ordinal);
        Assert.Contains("Cette facture remplace la facture INV-2027-000001, annulée par l'avoir CN-2027-000001.", PdfText.Normalise(invoice.TextBody ?? ""), StringComparison.Ordinal);

        var creditPdf = await PdfAsync(credit, "CN-2027-000001.pdf");
        Assert.Contains("AVOIR", creditPdf, StringComparison.Ordinal);
        Assert.Contains("Annule la facture INV-2027-000001", creditPdf, StringComparison.Ordinal);
        Assert.Contains("Cet avoir annule en totalité la facture INV-2027-000001 du 15 janvier 2027.", creditPdf, StringComparison.Ordinal);
        Assert.Contains("Total TTC 14 814,72 €", creditPdf, StringComparison.Ordinal);
        var invoicePdf = await PdfAsync(invoice, "INV-2027-000002.pdf");
        Assert.Contains("Bon de commande PO-7781", invoicePdf, StringComparison.Ordinal);
        Assert.Contains("Remplace la facture INV-2027-000001", invoicePdf, StringComparison.Ordinal);
        Assert.Contains("Date d'échéance 5 mars 2027", invoicePdf, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INV-2027-000099", DomainErrors.ReissueInvoiceUnknown)]
    [InlineData("CN-2027-000001", DomainErrors.ReissueInvoiceUnknown)]
    [InlineData("not a number", DomainErrors.ReissueInvoiceUnknown)]
    [InlineData("INV-2027-000001", DomainErrors.ReissueNoPurchaseOrder)]
    public async Task An_invoice_that_cannot_be_reissued_is_refused_with_the_reason_and_nothing_changes(string number, string code)
    {
        await IssuedWithoutOrderAsync();
        var before = await CountAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() => ReissueService(db => db.ReissueAsync(number, "operator")));

        Assert.Equal(code, refused.Code);
        Assert.False(string.IsNullOrWhiteSpace(refused.Describe(CultureInfo.GetCultureInfo("fr"))));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task An_invoice_that_already_carries_the_order_or_was_already_credited_is_refused()
    {
        var (account, subscription) = await IssuedWithoutOrderAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 3, 9, 0));
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-1", subscription.Id));
        await ReissueService(db => db.ReissueAsync("INV-2027-000001", "operator"));
        var before = await CountAsync();

        var credited = await Assert.ThrowsAsync<DomainException>(() => ReissueService(db => db.ReissueAsync("INV-2027-000001", "operator")));
        var same = await Assert.ThrowsAsync<DomainException>(() => ReissueService(db => db.ReissueAsync("INV-2027-000002", "operator")));

        Assert.Equal((DomainErrors.ReissueAlreadyCredited, "CN-2027-000001"), (credited.Code, credited.Arguments[1]));
        Assert.Equal((DomainErrors.ReissueSamePurchaseOrder, "PO-1"), (same.Code, same.Arguments[1]));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Two_operators_reissuing_the_same_invoice_at_once_give_one_credit_note_and_one_refusal()
    {
        var (account, subscription) = await IssuedWithoutOrderAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 3, 9, 0));
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-1", subscription.Id));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            try
            {
                return (await ReissueService(db => db.ReissueAsync("INV-2027-000001", "operator"))).CreditNote;
            }
            catch (DomainException refused) when (refused.Code == DomainErrors.ReissueAlreadyCredited)
            {
                return "refused";
            }
        })));

        Assert.Equal(["CN-2027-000001", "refused"], attempts.Order(StringComparer.Ordinal));
        await using var db = Database.Context();
        Assert.Equal(1, await db.CreditNotes.CountAsync());
        Assert.Equal(1, (await db.CreditNoteSequences.AsNoTracking().SingleAsync()).LastNumber);
        Assert.Equal(2, await db.Invoices.CountAsync());
    }

    [Fact]
    public async Task The_credit_note_takes_the_year_of_the_customers_local_date_and_its_own_gapless_sequence()
    {
        var (account, _) = await IssuedWithoutOrderAsync(zone: "Pacific/Auckland");
        await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, product: "RND-FARM");
        await RunOnAsync(Date("2027-01-15"), "Pacific/Auckland");
        await RegisterAsync(new NewPurchaseOrder(account.Id, "PO-ALL"));
        // 31 December 2027 at noon UTC is already 1 January 2028 in Auckland.
        Clock.Reset(Instant.FromUtc(2027, 12, 31, 12, 0));

        var first = await ReissueService(db => db.ReissueAsync("INV-2027-000001", "operator"));
        var then = await ReissueService(db => db.ReissueAsync("INV-2027-000002", "operator"));

        Assert.Equal(("CN-2028-000001", "INV-2028-000001", Date("2028-01-01")), (first.CreditNote, first.NewInvoice, first.IssuedOn));
        Assert.Equal(("CN-2028-000002", "INV-2028-000002"), (then.CreditNote, then.NewInvoice));
    }

    /// <summary>Acme (accounts payable ap@acme.example) bought 10 × 1,234.56 € for a year from 15 January 2027; INV-2027-000001 went out without a PO.</summary>
    private async Task<(Account Account, Subscription Subscription)> IssuedWithoutOrderAsync(string language = "en", string zone = "Europe/Paris")
    {
        var account = await Book.AccountAsync(language: language, zone: zone);
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, quantity: 10, yearlyUnitPrice: 1234.56m);
        await RunOnAsync(Date("2027-01-15"), zone);
        Assert.Equal(["INV-2027-000001"], (await InvoicesAsync(subscription.Id)).Select(i => i.Number));
        return (account, subscription);
    }

    private async Task<PurchaseOrder> RegisterAsync(NewPurchaseOrder order)
    {
        await using var db = Database.Context();
        return await new PurchaseOrderService(db, Clock).RegisterAsync(order, "operator");
    }

    private async Task<T> ReissueService<T>(Func<InvoiceReissue, Task<T>> use)
    {
        await using var db = Database.Context();
        return await use(new InvoiceReissue(db, Clock));
    }

    private async Task<(int Invoices, int CreditNotes, int Outbox, int Audit, int Sequences)> CountAsync()
    {
        await using var db = Database.Context();
        return (await db.Invoices.CountAsync(), await db.CreditNotes.CountAsync(), await db.Outbox.CountAsync(), await db.Audit.CountAsync(),
            await db.CreditNoteSequences.CountAsync());
    }

    private async Task<IReadOnlyList<MimeMessage>> DeliverAllAsync(Instant now)
    {
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions(), Attachments.For(Seller.Default));
        await using (var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None)))
        {
            await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, new FakeClock(now)).DispatchAsync(now);
        }

        return server.Received;
    }

    private static async Task<string> PdfAsync(MimeMessage mail, string fileName)
    {
        var pdf = Assert.IsType<MimePart>(Assert.Single(mail.Attachments));
        Assert.Equal(("application/pdf", fileName), (pdf.ContentType.MimeType, pdf.FileName));
        using var content = new MemoryStream();
        await pdf.Content!.DecodeToAsync(content);
        return PdfText.All(content.ToArray());
    }
}
