namespace Renewals.Core.Messaging;

/// <summary>The files that go with messages, by kind of source.</summary>
public static class Attachments
{
    public static IReadOnlyList<IAttachmentSource> All { get; } = [new Invoicing.InvoicePdfAttachments(), new Engagement.MeetingInvitationAttachments(), new Invoicing.CreditNotePdfAttachments()];
}
