namespace Renewals.Core.Messaging;

/// <summary>The files that go with messages, by kind of source.</summary>
public static class Attachments
{
    /// <summary>Every source, with invoices and credit notes issued by <paramref name="seller"/>.</summary>
    public static IReadOnlyList<IAttachmentSource> For(Invoicing.Seller seller) =>
        [new Invoicing.InvoicePdfAttachments(seller), new Engagement.MeetingInvitationAttachments(), new Invoicing.CreditNotePdfAttachments(seller),
            new Conferences.ConferenceInvitationAttachments()];
}
