using MimeKit;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Invoicing;

/// <summary>An invoice's email carries the invoice as a PDF named after its number, issued by <paramref name="seller"/>, the configured one.</summary>
public sealed class InvoicePdfAttachments(Seller seller) : IAttachmentSource
{
    public async Task<IReadOnlyList<MimePart>> AttachmentsAsync(RenewalsDbContext db, OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.InvoiceId is not { } invoiceId)
        {
            return [];
        }

        var document = await InvoiceDocuments.LoadAsync(db, invoiceId, seller, ct)
            ?? throw new InvalidOperationException($"Invoice {invoiceId} of message {message.Id} has no number: it cannot be sent.");
        return [IAttachmentSource.File("application", "pdf", InvoicePdf.Render(document), document.Number + ".pdf")];
    }
}
