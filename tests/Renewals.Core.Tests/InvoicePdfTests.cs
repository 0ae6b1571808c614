using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Invoicing;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;
using UglyToad.PdfPig;

namespace Renewals.Core.Tests;

/// <summary>The text a PDF reader finds in a rendered invoice, page by page, whitespace normalised to single spaces.</summary>
internal static partial class PdfText
{
    public static IReadOnlyList<string> Pages(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return [.. document.GetPages().Select(p => Normalise(string.Join(" ", p.GetWords().Select(w => w.Text))))];
    }

    public static string All(byte[] pdf) => string.Join(" ", Pages(pdf));

    /// <summary>French groups thousands with a (narrow) no-break space: compare every blank as one space.</summary>
    public static string Normalise(string text) => Blanks().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Blanks();
}

/// <summary>Invoices issued by the engine on a real database, loaded as documents and rendered to PDF.</summary>
public abstract class InvoiceDocumentTest(DatabaseProvider provider) : DatabaseTest(provider)
{
    /// <summary>A one-year subscription of 10 × 1,234.56 € from <paramref name="start"/>, billed on day one by the engine.</summary>
    protected async Task<InvoiceDocument> IssueAsync(
        string language = "en", string? purchaseOrder = null, LocalDate? start = null, bool withAccountsPayable = true)
    {
        var day = start ?? Date("2027-01-15");
        var account = await Book.AccountAsync(language: language, withAccountsPayable: withAccountsPayable, requiresPurchaseOrder: purchaseOrder is not null);
        if (purchaseOrder is not null)
        {
            await using var db = Database.Context();
            db.PurchaseOrders.Add(new PurchaseOrder
            {
                AccountId = account.Id, Number = purchaseOrder, ValidFrom = day, ValidUntil = day.PlusYears(1), RegisteredAt = Clock.GetCurrentInstant(),
            });
            await db.SaveChangesAsync();
        }

        var subscription = await Book.SellAsync(account.Id, day, years: 1, quantity: 10, yearlyUnitPrice: 1234.56m);
        await RunOnAsync(day);
        var invoice = Assert.Single(await InvoicesAsync(subscription.Id));
        await using var read = Database.Context();
        return await InvoiceDocuments.LoadAsync(read, invoice.Id, Seller.Default, CancellationToken.None) ?? throw new InvalidOperationException("Not loaded");
    }
}

public sealed class PostgresInvoicePdfTests() : InvoiceDocumentTest(DatabaseProvider.PostgreSql)
{
    [Fact]
    public async Task An_invoice_issued_on_PostgreSQL_prints_its_number_purchase_order_amounts_and_bill_to()
    {
        var doc = await IssueAsync(purchaseOrder: "PO-4411");

        var text = PdfText.All(InvoicePdf.Render(doc));

        Assert.Equal("INV-2027-000001", doc.Number);
        Assert.Contains("INV-2027-000001", text);
        Assert.Contains("PO-4411", text);
        Assert.Contains("€12,345.60", text);
        Assert.Contains("€2,469.12", text);
        Assert.Contains("€14,814.72", text);
        Assert.Contains("Paul Payables", text);
    }
}

public sealed class InvoicePdfTests() : InvoiceDocumentTest(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task A_french_invoice_carries_the_buyers_billing_address_and_vat_number_and_the_late_payment_terms()
    {
        var issued = await IssueAsync(language: "fr");
        await using (var db = Database.Context())
        {
            var account = await db.Accounts.SingleAsync();
            account.BillingAddress = "Service comptabilité\n12 rue de la Paix\n75002 Paris\nFrance";
            account.VatNumber = "FR40123456789";
            await db.SaveChangesAsync();
        }

        await using var read = Database.Context();
        var doc = await InvoiceDocuments.LoadByNumberAsync(read, issued.Number, Seller.Default, CancellationToken.None);
        var text = PdfText.All(InvoicePdf.Render(doc!));

        Assert.Equal(new BillTo("Paul Payables", "ap@acme.example", "Acme", "Service comptabilité\n12 rue de la Paix\n75002 Paris\nFrance", "FR40123456789"), doc!.BillTo);
        Assert.Contains("Service comptabilité", text, StringComparison.Ordinal);
        Assert.Contains("12 rue de la Paix", text, StringComparison.Ordinal);
        Assert.Contains("75002 Paris", text, StringComparison.Ordinal);
        Assert.Contains("N° TVA intracommunautaire FR40123456789", text, StringComparison.Ordinal);
        Assert.Contains("Retard de paiement : pénalités au taux de refinancement de la Banque centrale européenne majoré de 10 points", text, StringComparison.Ordinal);
        Assert.Contains("indemnité forfaitaire pour frais de recouvrement de 40,00 € (art. L441-10 du Code de commerce)", text, StringComparison.Ordinal);
        Assert.Contains("Pas d'escompte pour paiement anticipé.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_english_invoice_in_another_currency_still_states_the_indemnity_in_euros_and_prints_no_buyer_vat_line_without_a_number()
    {
        var doc = await IssueAsync(language: "en");

        var text = PdfText.All(InvoicePdf.Render(doc with { Currency = "GBP" }));

        Assert.Contains("a fixed indemnity of €40.00 for recovery costs (art. L441-10 of the French Commercial Code)", text, StringComparison.Ordinal);
        Assert.Contains("the European Central Bank's refinancing rate plus 10 percentage points", text, StringComparison.Ordinal);
        Assert.Contains("£12,345.60", text, StringComparison.Ordinal);
        // The seller's VAT line is there; no buyer VAT line when the account has none.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "VAT no\\."));
    }

    [Fact]
    public async Task The_document_holds_what_the_engine_billed_with_accounts_payable_as_bill_to()
    {
        var doc = await IssueAsync(purchaseOrder: "PO-2027-118");

        Assert.Equal(("INV-2027-000001", InvoiceKind.Initial, "en", "EUR"), (doc.Number, doc.Kind, doc.Language, doc.Currency));
        Assert.Equal((Date("2027-01-15"), Date("2027-02-14")), (doc.IssuedOn, doc.DueOn));
        Assert.Equal(new InvoicePeriod(Date("2027-01-15"), Date("2028-01-15")), doc.Period);
        Assert.Equal((12_345.60m, 0.20m, 2_469.12m, 14_814.72m), (doc.Net, doc.VatRate, doc.VatAmount, doc.Total));
        var line = Assert.Single(doc.Lines);
        Assert.Equal(("Product DSN-PRO", 10, 1234.56m, 12_345.60m), (line.Description, line.Quantity, line.UnitPrice, line.Amount));
        Assert.Equal(new BillTo("Paul Payables", "ap@acme.example", "Acme", "1 Acme Street\n75001 Paris"), doc.BillTo);
        Assert.Equal("PO-2027-118", doc.PurchaseOrderNumber);
        Assert.Equal(Seller.Default, doc.Seller);
    }

    [Fact]
    public async Task Without_accounts_payable_the_primary_contact_is_billed()
    {
        var doc = await IssueAsync(withAccountsPayable: false);

        Assert.Equal("Jane Primary", doc.BillTo.ContactName);
        Assert.Contains("Jane Primary", PdfText.All(InvoicePdf.Render(doc)));
    }

    [Fact]
    public async Task An_english_invoice_prints_number_purchase_order_amounts_bill_to_and_due_date()
    {
        var doc = await IssueAsync(purchaseOrder: "PO-2027-118");

        var text = PdfText.All(InvoicePdf.Render(doc));

        Assert.Contains("INVOICE", text);
        Assert.Contains("Invoice number INV-2027-000001", text);
        Assert.Contains("Purchase order PO-2027-118", text);
        Assert.Contains("Billed under your purchase order PO-2027-118.", text);
        Assert.Contains("Bill to", text);
        Assert.Contains("Paul Payables", text);
        Assert.Contains("ap@acme.example", text);
        Assert.Contains("Issued on 15 January 2027", text);
        Assert.Contains("Due on 14 February 2027", text);
        Assert.Contains("15 January 2027 to 14 January 2028", text);
        Assert.Contains("€1,234.56 €12,345.60", text); // the line: unit price, amount
        Assert.Contains("Total excl. VAT €12,345.60", text);
        Assert.Contains("VAT 20% €2,469.12", text);
        Assert.Contains("Total incl. VAT €14,814.72", text);
        Assert.Contains("Payment is due by 14 February 2027, 30 days after the invoice date.", text);
        Assert.Contains(Seller.Default.Name, text);
        Assert.DoesNotContain("Facture", text);
    }

    [Fact]
    public async Task A_french_contact_gets_french_labels_dates_and_number_format()
    {
        var doc = await IssueAsync(language: "fr", start: Date("2029-12-16"));

        var text = PdfText.All(InvoicePdf.Render(doc));

        Assert.Equal("fr", doc.Language);
        Assert.Contains("FACTURE", text);
        Assert.Contains("Numéro de facture INV-2029-000001", text);
        Assert.Contains("Facturé à", text);
        Assert.Contains("Paul Payables", text);
        Assert.Contains("Date d'émission 16 décembre 2029", text);
        Assert.Contains("Date d'échéance 15 janvier 2030", text);
        // The period wraps in its column; the text extractor reads the bill-to column's next line (the postcode) in between.
        Assert.Matches("Période du 16 décembre 2029 au (75001 Paris )?15 décembre 2030", text);
        Assert.Contains("1 234,56 € 12 345,60 €", text);
        Assert.Contains("Total HT 12 345,60 €", text);
        Assert.Contains("TVA 20 % 2 469,12 €", text);
        Assert.Contains("Total TTC 14 814,72 €", text);
        Assert.Contains("Règlement attendu au plus tard le 15 janvier 2030", text);
        Assert.Contains("page 1 sur 1", text);
        Assert.DoesNotContain("Invoice", text);
        Assert.DoesNotContain("January", text);
    }

    [Fact]
    public async Task French_amounts_group_thousands_with_a_no_break_space_so_they_never_split()
    {
        var doc = await IssueAsync(language: "fr");

        var total = InvoiceFormat.Money(doc.Total, doc.Currency, InvoiceFormat.Culture(doc.Language));

        Assert.Equal("14 814,72 €", PdfText.Normalise(total));
        Assert.DoesNotContain(' ', total);
    }

    [Fact]
    public async Task An_invoice_without_a_purchase_order_says_so()
    {
        var english = await IssueAsync();
        var french = await IssueAsync(language: "fr", start: Date("2027-03-01"));

        var englishText = PdfText.All(InvoicePdf.Render(english));
        var frenchText = PdfText.All(InvoicePdf.Render(french));

        Assert.Null(english.PurchaseOrderNumber);
        Assert.Contains("Purchase order none", englishText);
        Assert.Contains("No purchase order was registered for this period.", englishText);
        Assert.Contains("Bon de commande aucun", frenchText);
        Assert.Contains("Aucun bon de commande n'a été enregistré pour cette période.", frenchText);
        Assert.Contains("Date d'émission 1er mars 2027", frenchText);
    }

    [Fact]
    public async Task Many_lines_run_over_several_pages_and_every_line_is_printed_once()
    {
        const int count = 90;
        var account = await Book.AccountAsync();
        var lines = new List<NewLine>();
        for (var i = 1; i <= count; i++)
        {
            var code = $"MOD-{i:D2}";
            await Book.ProductAsync(code, family: "Modules");
            lines.Add(new NewLine(code, i, 100m + i, "EUR"));
        }

        Subscription subscription;
        await using (var db = Database.Context())
        {
            subscription = await new SubscriptionService(db, Clock).SellAsync(new NewSubscription(account.Id, Date("2027-01-15"), 1, lines));
        }

        await RunOnAsync(Date("2027-01-15"));
        var invoice = Assert.Single(await InvoicesAsync(subscription.Id));
        await using var read = Database.Context();
        var doc = await InvoiceDocuments.LoadAsync(read, invoice.Id, Seller.Default, CancellationToken.None);

        var pages = PdfText.Pages(InvoicePdf.Render(doc!));

        Assert.Equal(count, doc!.Lines.Count);
        Assert.True(pages.Count >= 3, $"{pages.Count} page(s)");
        var all = string.Join(" ", pages);
        for (var i = 1; i <= count; i++)
        {
            var amount = InvoiceFormat.Money(i * (100m + i), "EUR", InvoiceFormat.Culture("en"));
            Assert.Single(Regex.Matches(all, Regex.Escape($"Product MOD-{i:D2} ")));
            Assert.Contains($"€{100 + i}.00 {amount}", all);
        }

        for (var p = 0; p < pages.Count; p++)
        {
            Assert.Contains($"INV-2027-000001, page {p + 1} of {pages.Count}", pages[p]);
        }

        // The table's header is repeated on the page it is carried over to.
        Assert.Contains("Description Period Qty Unit price Amount", pages[0]);
        Assert.Contains("Invoice INV-2027-000001 Description Period Qty Unit price Amount", pages[1]);

        Assert.Contains("Continued on the next page", pages[0]);
        Assert.Contains($"Total incl. VAT {InvoiceFormat.Money(doc.Total, "EUR", InvoiceFormat.Culture("en"))}", pages[^1]);
        Assert.DoesNotContain("Total incl. VAT", pages[0]);
    }

    [Fact]
    public async Task An_invoice_is_found_by_its_number_in_any_letter_case_and_a_bad_or_unknown_number_finds_nothing()
    {
        var issued = await IssueAsync();
        await using var db = Database.Context();

        var found = await InvoiceDocuments.LoadByNumberAsync(db, " inv-2027-000001 ", Seller.Default, CancellationToken.None);
        var unknown = await InvoiceDocuments.LoadByNumberAsync(db, "INV-2027-000002", Seller.Default, CancellationToken.None);
        var malformed = await InvoiceDocuments.LoadByNumberAsync(db, "2027-1", Seller.Default, CancellationToken.None);
        var noId = await InvoiceDocuments.LoadAsync(db, 987_654, Seller.Default, CancellationToken.None);

        Assert.Equal(issued.Number, found?.Number);
        Assert.Equal(issued.Total, found?.Total);
        Assert.Null(unknown);
        Assert.Null(malformed);
        Assert.Null(noId);
    }

    [Fact]
    public async Task Rendering_from_many_threads_at_once_gives_readable_pdfs()
    {
        var doc = await IssueAsync();

        var pdfs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => InvoicePdf.Render(doc))));

        Assert.All(pdfs, pdf => Assert.Contains("INV-2027-000001", PdfText.All(pdf)));
    }

    [Fact]
    public async Task A_renewal_invoice_is_named_as_one()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2028-01-15"));
        var renewal = (await InvoicesAsync(subscription.Id)).Single(i => i.Kind == InvoiceKind.Renewal);
        await using var db = Database.Context();

        var doc = await InvoiceDocuments.LoadByNumberAsync(db, renewal.Number!, Seller.Default, CancellationToken.None);

        Assert.Equal(InvoiceKind.Renewal, doc!.Kind);
        Assert.Contains("Renewal for 12 months", PdfText.All(InvoicePdf.Render(doc)));
    }
}
