namespace Renewals.Core.Webhooks;

/// <summary>What a webhook endpoint can hear, as one list (the names receivers see in "type").</summary>
public static class WebhookEventTypes
{
    public const string MilestoneCarriedOut = "milestone.carried-out";
    public const string SubscriptionRenewed = "subscription.renewed";
    public const string SubscriptionEnding = "subscription.ending";
    public const string SubscriptionEnded = "subscription.ended";
    public const string NoticeReceived = "notice.received";
    public const string NoticeWithdrawn = "notice.withdrawn";
    public const string InvoiceIssued = "invoice.issued";
    public const string CreditNoteIssued = "credit-note.issued";
    public const string MessageDeadLettered = "message.dead-lettered";
    public const string InvoicePaid = "invoice.paid";
    public const string InvoiceOverdue = "invoice.overdue";
    public const string AmendmentConfirmed = "amendment.confirmed";

    public static IReadOnlyList<string> All { get; } =
    [
        MilestoneCarriedOut, SubscriptionRenewed, SubscriptionEnding, SubscriptionEnded,
        NoticeReceived, NoticeWithdrawn, InvoiceIssued, CreditNoteIssued, MessageDeadLettered,
        InvoicePaid, InvoiceOverdue,
        AmendmentConfirmed,
    ];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
