using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Messaging;

/// <summary>
/// Whether a message still serves its purpose on the day it would be delivered (the account's
/// own date). A reminder is written for a renewal still ahead and a subscription still renewing;
/// a licence announcement for a licence still valid. Delivered after that (downtime, a notice
/// filed in between), it would tell the customer something false, so it is not sent.
/// </summary>
public static class MessagePurpose
{
    /// <summary>Why <paramref name="message"/> is past its purpose at <paramref name="now"/>; null when it still serves it (an invoice's standing is <paramref name="seller"/>'s call, on its date).</summary>
    /// <param name="batch">What the dispatcher read for the message's batch: the account's time zone is taken from it when it is there.</param>
    public static async Task<string?> OutdatedAsync(RenewalsDbContext db, OutboxMessage message, Instant now, Invoicing.Seller seller, MessageBatch? batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(seller);
        if (message.Template == MessageKinds.Newsletter)
        {
            // Consent is read at delivery: a contact who left after the issue was written is not sent it.
            return message.ContactId is { } contactId && !await Newsletter.NewsletterConsentService.IsSubscribedAsync(db, contactId, ct)
                ? "discarded: the contact unsubscribed from the newsletter before it was delivered"
                : null;
        }

        if (message.Template == MessageKinds.PaymentReminder)
        {
            return await CollectionOverAsync(db, message, seller.Today(now), ct);
        }

        if (message.Template is not (MessageKinds.Reminder or MessageKinds.LicenceAvailable))
        {
            return null;
        }

        // What the subscription and its notices say is read here, in the claim's transaction; the
        // zone only places "today", so the batch's reading of it a moment ago will do.
        var zoneId = (message.AccountId is { } accountId ? batch?.Account(accountId)?.TimeZoneId : null)
            ?? await db.Accounts.AsNoTracking().Where(a => a.Id == message.AccountId).Select(a => a.TimeZoneId).SingleAsync(ct);
        var today = now.InZone(DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DateTimeZone.Utc).Date;
        var payload = MessageModel.FromPayload(message.Payload);
        if (message.Template == MessageKinds.Reminder)
        {
            // On the renewal date the renewal has happened: a reminder of it comes too late.
            if (Date(payload, "renewal_date") is { } renewal && today >= renewal)
            {
                return $"discarded: the renewal of {Iso(renewal)} has passed (the account's date is {Iso(today)})";
            }

            var status = message.SubscriptionId is { } id
                ? await db.Subscriptions.AsNoTracking().Where(s => s.Id == id).Select(s => (SubscriptionStatus?)s.Status).SingleOrDefaultAsync(ct)
                : null;
            if (status is SubscriptionStatus.Ending or SubscriptionStatus.Ended)
            {
                return $"discarded: the subscription is {(status == SubscriptionStatus.Ending ? "ending (a written notice was filed on time)" : "ended")}, it does not renew";
            }

            // Filed on time before the deadline was carried out, a notice leaves the subscription
            // active until then; it still ends at this renewal, which the reminder would deny.
            if (message.SubscriptionId is { } subscriptionId && Date(payload, "renewal_date") is { } ending
                && await db.CancellationNotices.AsNoTracking().AnyAsync(
                    n => n.SubscriptionId == subscriptionId && n.WithdrawnAt == null && n.IsOnTime && n.EffectiveEndDate == ending, ct))
            {
                return $"discarded: a written notice filed on time ends the subscription on {Iso(ending)}, it does not renew";
            }
        }
        else if (Date(payload, "valid_until") is { } until && today >= until)
        {
            // valid_until is the first day the licence no longer covers.
            return $"discarded: the licence's period ended on {Iso(until.PlusDays(-1))} (the account's date is {Iso(today)})";
        }

        return null;
    }

    /// <summary>A payment reminder serves while the invoice is still owed and undisputed: paid (even the same day), credited or disputed since, it is not sent.</summary>
    private static async Task<string?> CollectionOverAsync(RenewalsDbContext db, OutboxMessage message, LocalDate vendorToday, CancellationToken ct)
    {
        if (message.InvoiceId is not { } invoiceId
            || await Payments.InvoiceStatuses.OfAsync(db, invoiceId, vendorToday, ct) is not { } state)
        {
            return null;
        }

        return Domain.Payments.InvoiceStanding.StopsCollection(state.Status)
            ? $"discarded: the invoice is {state.Code} (the vendor's date is {Iso(vendorToday)}), nothing to chase"
            : null;
    }

    private static LocalDate? Date(Dictionary<string, object?> payload, string name) =>
        payload.GetValueOrDefault(name) is string text && LocalDatePattern.Iso.Parse(text) is { Success: true } parsed ? parsed.Value : null;

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
