using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;
using Renewals.Domain.Invoicing;

namespace Renewals.Core.Invoicing;

/// <summary>
/// Everything printed on a credit note: the invoice it cancels in full (its lines and amounts,
/// as credited), and the invoice that replaces it with the purchase order, when there is one.
/// </summary>
/// <param name="Language">"fr" or "en": the bill-to contact's language.</param>
public sealed record CreditNoteDocument(
    string Number,
    LocalDate IssuedOn,
    string CancelledInvoice,
    LocalDate CancelledInvoiceIssuedOn,
    string? ReplacedBy,
    string? PurchaseOrderNumber,
    InvoicePeriod Period,
    string Currency,
    IReadOnlyList<InvoiceDocumentLine> Lines,
    decimal Net,
    decimal VatRate,
    decimal VatAmount,
    decimal Total,
    Seller Seller,
    BillTo BillTo,
    string Language);

/// <summary>Reads credit notes into <see cref="CreditNoteDocument"/>s.</summary>
public static class CreditNoteDocuments
{
    /// <summary>The credit note with this id; null when there is none.</summary>
    public static async Task<CreditNoteDocument?> LoadAsync(RenewalsDbContext db, long creditNoteId, Seller seller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var id = await db.CreditNotes.AsNoTracking().Where(c => c.Id == creditNoteId).Select(c => (long?)c.Id).SingleOrDefaultAsync(ct);
        return id is null ? null : await ToDocumentAsync(db, creditNoteId, seller, ct);
    }

    /// <summary>The credit note numbered <paramref name="number"/> (any letter case, surrounding blanks ignored); null when there is none.</summary>
    public static async Task<CreditNoteDocument?> LoadByNumberAsync(RenewalsDbContext db, string number, Seller seller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!CreditNoteNumber.TryParse(number, out var parsed))
        {
            return null;
        }

        var canonical = parsed.ToString();
        var id = await db.CreditNotes.AsNoTracking().Where(c => c.Number == canonical).Select(c => (long?)c.Id).SingleOrDefaultAsync(ct);
        return id is { } found ? await ToDocumentAsync(db, found, seller, ct) : null;
    }

    private static async Task<CreditNoteDocument> ToDocumentAsync(RenewalsDbContext db, long creditNoteId, Seller seller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(seller);
        var note = await db.CreditNotes.AsNoTracking().SingleAsync(c => c.Id == creditNoteId, ct);
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Id == note.InvoiceId, ct);
        var replacement = await db.Invoices.AsNoTracking().Where(i => i.ReplacesInvoiceId == invoice.Id)
            .Select(i => new { i.Number, i.PurchaseOrderNumber }).FirstOrDefaultAsync(ct);
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == note.AccountId, ct);
        var contact = await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == note.BillToContactId, ct);
        var lines = invoice.Lines
            .OrderBy(l => l.Id)
            .Select(l => new InvoiceDocumentLine(l.Description, l.Quantity, new InvoicePeriod(l.PeriodStart, l.PeriodEnd), l.UnitPrice, l.Amount))
            .ToArray();
        return new CreditNoteDocument(
            note.Number,
            note.IssuedOn,
            invoice.Number!,
            invoice.IssuedOn,
            replacement?.Number,
            replacement?.PurchaseOrderNumber,
            new InvoicePeriod(invoice.PeriodStart, invoice.PeriodEnd),
            note.Currency,
            lines,
            note.Net,
            note.VatRate,
            note.Total - note.Net,
            note.Total,
            seller,
            InvoiceDocuments.BillToOf(contact, account),
            InvoiceFormat.Language(contact.Language));
    }
}

/// <summary>Renders a <see cref="CreditNoteDocument"/> as an A4 PDF, laid out as the invoice it cancels.</summary>
public static class CreditNotePdf
{
    public static byte[] Render(CreditNoteDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var culture = InvoiceFormat.Culture(doc.Language);
        string T(string key, params object[] arguments) => InvoiceFormat.Text(key, culture, arguments);
        List<(string, string, bool)> particulars =
        [
            (T("CreditNote.Label.Number"), doc.Number, true),
            (T("Label.IssuedOn"), InvoiceFormat.Date(doc.IssuedOn, culture), false),
            (T("CreditNote.Label.Cancels"), doc.CancelledInvoice, true),
            (T("Label.Period"), InvoiceFormat.Period(doc.Period, culture), false),
            (T("Label.Currency"), doc.Currency, false),
        ];
        List<string> terms = [T("CreditNote.Cancels", doc.CancelledInvoice, InvoiceFormat.Date(doc.CancelledInvoiceIssuedOn, culture))];
        if (doc.ReplacedBy is { } replacement)
        {
            particulars.Add((T("CreditNote.Label.ReplacedBy"), replacement, false));
            terms.Add(doc.PurchaseOrderNumber is { } po ? T("CreditNote.ReplacedBy.PurchaseOrder", replacement, po) : T("CreditNote.ReplacedBy", replacement));
        }

        terms.Add(T("CreditNote.NothingDue"));
        return InvoicePdf.Render(new InvoicePdf.Sheet(
            T("CreditNote.Title"), T("CreditNote.Subtitle"), doc.Number, culture, doc.Currency, doc.Lines, doc.Net, doc.VatRate, doc.VatAmount, doc.Total,
            doc.Seller, doc.BillTo, doc.BillTo.AccountName, particulars, terms));
    }
}

/// <summary>A credit note's email carries the credit note as a PDF named after its number, issued by <paramref name="seller"/>, the configured one.</summary>
public sealed class CreditNotePdfAttachments(Seller seller) : Messaging.IAttachmentSource
{
    public async Task<IReadOnlyList<MimeKit.MimePart>> AttachmentsAsync(RenewalsDbContext db, Data.Model.OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.CreditNoteId is not { } creditNoteId)
        {
            return [];
        }

        var document = await CreditNoteDocuments.LoadAsync(db, creditNoteId, seller, ct)
            ?? throw new InvalidOperationException($"Credit note {creditNoteId} of message {message.Id} does not exist: it cannot be sent.");
        return [Messaging.IAttachmentSource.File("application", "pdf", CreditNotePdf.Render(document), document.Number + ".pdf")];
    }
}
