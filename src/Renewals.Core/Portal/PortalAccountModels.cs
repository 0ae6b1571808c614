using NodaTime;
using Renewals.Data.Model;

namespace Renewals.Core.Portal;

/// <summary>A person of the account and what they receive.</summary>
public sealed record PortalContact(string Name, string Email, ContactRole Role, string Language, long Id);

/// <summary>A message the account received, as the message centre lists it.</summary>
public sealed record PortalMessage(long Id, LocalDateTime SentAt, string To, string Subject, string Kind);

/// <summary>One message as it was sent: its subject, both parts and the names of its attachments.</summary>
public sealed record PortalMessageView(
    long Id, LocalDateTime SentAt, string To, string Subject, string Html, string Text, IReadOnlyList<string> Attachments);

/// <summary>A purchase order and the invoices that carry its number.</summary>
public sealed record PortalPurchaseOrder(
    string Number, long? SubscriptionId, LocalDate? ValidFrom, LocalDate? ValidUntil, decimal? Amount, LocalDate RegisteredOn,
    IReadOnlyList<string> Invoices);

/// <summary>What the customer typed in the purchase-order form, unchecked.</summary>
/// <summary>What the customer typed; <paramref name="ValidUntil"/> is exclusive as stored (the form asks for the last day and adds one).</summary>
public sealed record PurchaseOrderForm(string? Number, long? SubscriptionId, LocalDate? ValidFrom, LocalDate? ValidUntil, decimal? Amount);
