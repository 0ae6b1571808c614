using System.Collections;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Api;
using Renewals.Core.Hosting;
using Renewals.Core.Invoicing;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteApiSellerTests() : ApiSellerTests(DatabaseProvider.Sqlite);

public sealed class PostgresApiSellerTests() : ApiSellerTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The API's invoice and credit-note PDFs are issued by the vendor the settings name, as the
/// portal's and the emails' are: composed by AddRenewals exactly as the web host composes them.
/// </summary>
public abstract class ApiSellerTests(DatabaseProvider provider) : InvoiceDocumentTest(provider)
{
    [Fact]
    public async Task The_apis_invoice_and_credit_note_pdfs_print_the_configured_seller_not_the_placeholder()
    {
        var issued = await IssueAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 3, 9, 0));
        await using (var arrange = Database.Context())
        {
            // An order registered after the invoice: reissuing it with the order gives the credit note.
            var account = await arrange.Invoices.Where(i => i.Number == issued.Number).Select(i => i.AccountId).SingleAsync();
            arrange.PurchaseOrders.Add(new Data.Model.PurchaseOrder
            {
                AccountId = account, Number = "PO-7781", ValidFrom = new LocalDate(2027, 1, 15), ValidUntil = new LocalDate(2028, 1, 15), RegisteredAt = Clock.GetCurrentInstant(),
            });
            await arrange.SaveChangesAsync();
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Renewals:Database"] = Database.Setting })
            .AddRenewalsEnvironmentVariables(new Hashtable
            {
                ["RENEWALS_SELLER_NAME"] = "Logiciels Brunet SARL",
                ["RENEWALS_SELLER_ADDRESS"] = "3 quai Saint-Antoine | 69002 Lyon | France",
                ["RENEWALS_SELLER_VAT"] = "FR55123456789",
                ["RENEWALS_SELLER_EMAIL"] = "factures@brunet.example",
            })
            .Build();
        await using var services = new ServiceCollection().AddSingleton<IClock>(Clock).AddRenewals(configuration).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var reissued = await scope.ServiceProvider.GetRequiredService<InvoiceReissue>().ReissueAsync(issued.Number, "operator");
        await using var db = Database.Context();
        var invoiceId = await db.Invoices.Where(i => i.Number == issued.Number).Select(i => i.Id).SingleAsync();
        var creditNoteId = await db.CreditNotes.Where(c => c.InvoiceId == invoiceId).Select(c => c.Id).SingleAsync();
        var api = scope.ServiceProvider.GetRequiredService<ApiService>();

        var invoice = await api.InvoicePdfAsync(new Actor.Admin("alice"), invoiceId) ?? throw new InvalidOperationException("No invoice PDF");
        var creditNote = await api.CreditNotePdfAsync(new Actor.Admin("alice"), creditNoteId) ?? throw new InvalidOperationException("No credit note PDF");

        Assert.Equal(("CN-2027-000001", "PO-7781"), (reissued.CreditNote, reissued.PurchaseOrderNumber));
        foreach (var text in new[] { PdfText.All(invoice.Bytes), PdfText.All(creditNote.Bytes) })
        {
            Assert.Contains("Logiciels Brunet SARL", text);
            Assert.Contains("3 quai Saint-Antoine", text);
            Assert.Contains("FR55123456789", text);
            Assert.DoesNotContain("Alderwood", text);
        }
    }
}
