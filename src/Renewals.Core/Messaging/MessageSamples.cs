using NodaTime;
using NodaTime.Text;

namespace Renewals.Core.Messaging;

/// <summary>
/// Made-up values for every kind of message, dated as the example of the product
/// (a three-year subscription starting on 15 January 2027), to preview templates.
/// </summary>
public static class MessageSamples
{
    /// <summary>
    /// A sample model, rendered on <paramref name="today"/> (by default the day the kind of
    /// message is usually sent), direct or through a partner (<paramref name="partner"/>), the
    /// partner alone filing cancellations when <paramref name="partnerOnly"/>.
    /// </summary>
    public static Dictionary<string, object?> Model(
        string kind, string language, string portalUrl = "http://localhost:5000", LocalDate? today = null, bool partner = false, bool partnerOnly = false)
    {
        var french = language == "fr";
        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["recipient"] = new Dictionary<string, object?> { ["name"] = french ? "Camille Durand" : "Alex Morgan", ["email"] = french ? "camille.durand@exemple.fr" : "alex.morgan@example.com" },
            ["account"] = new Dictionary<string, object?> { ["name"] = french ? "Ateliers Lumière SAS" : "Northwind Analytics Ltd", ["requires_purchase_order"] = true },
            ["advisor"] = new Dictionary<string, object?> { ["name"] = french ? "Julien Martin" : "Sam Taylor", ["email"] = french ? "julien.martin@vendor.example" : "sam.taylor@vendor.example" },
            ["portal_url"] = portalUrl,
            ["subscription"] = new Dictionary<string, object?>
            {
                ["id"] = 1042,
                ["products"] = new List<object?>
                {
                    new Dictionary<string, object?> { ["name"] = "Design Studio", ["quantity"] = 25 },
                    new Dictionary<string, object?> { ["name"] = "Render Farm", ["quantity"] = 3 },
                },
                // No amendment in the sample: the coming term, like the one a renewal begins, lasts the usual 12 months.
                ["coming_term_months"] = 12,
            },
        };
        if (kind == MessageKinds.RenewalConfirmation)
        {
            ((Dictionary<string, object?>)model["subscription"]!)["renewed_term_months"] = 12;
        }

        foreach (var (name, value) in Values(kind))
        {
            model[name] = value;
        }

        if (kind == MessageKinds.Newsletter)
        {
            // An issue is written in each language by the admins: the sample is too.
            foreach (var (name, value) in Newsletter.NewsletterSamples.Values(language, portalUrl))
            {
                model[name] = value;
            }
        }

        // A name that starts with a vowel, so the French texts show whether they elide ("d'Intégra").
        model["partner"] = partner || partnerOnly ? MessageFacts.Partner(french ? "Intégra Distribution" : "Northwind Resellers", 90, partnerOnly) : null;
        if (partnerOnly && kind == MessageKinds.CancellationAcknowledgement)
        {
            // Where only the partner may file, the partner sent the letter.
            model["filed_by"] = "partner";
        }

        MessageFacts.OfTheDay(model, today ?? UsualDay(kind));
        return model;
    }

    /// <summary>The day a kind of message usually goes out, for the samples.</summary>
    public static LocalDate UsualDay(string kind) => kind switch
    {
        MessageKinds.Reminder => Date("2029-11-16"), // 60 days before the renewal: the deadline day itself
        MessageKinds.CancellationAcknowledgement => Date("2029-11-02"),
        MessageKinds.RenewalConfirmation or MessageKinds.LicenceAvailable or MessageKinds.SubscriptionEnded or MessageKinds.Invoice => Date("2030-01-15"),
        MessageKinds.ReviewInvitation or MessageKinds.ReviewCancelled => Date("2027-04-01"),
        MessageKinds.PaymentReminder => Date("2030-02-21"), // the first stage: 7 days after the due date
        _ => Date("2027-01-15"),
    };

    private static LocalDate Date(string iso) => LocalDatePattern.Iso.Parse(iso).Value;

    private static Dictionary<string, object?> Values(string kind) => kind switch
    {
        MessageKinds.ConfirmationLetter or MessageKinds.Welcome => new()
        {
            ["start"] = "2027-01-15",
            ["renewal_date"] = "2030-01-15",
            ["years"] = 3m,
            ["billing"] = "yearly",
            ["check_in_date"] = "2027-04-15",
            ["reminder_dates"] = new List<object?> { "2029-09-17", "2029-11-16" },
            ["deadline"] = "2029-11-16",
            ["key_dates"] = new List<object?>
            {
                KeyDate("start", "2027-01-15"),
                KeyDate("check-in", "2027-04-15"),
                KeyDate("yearly-invoice", "2028-01-15", 2),
                KeyDate("yearly-invoice", "2029-01-15", 3),
                KeyDate("reminder", "2029-09-17", 120),
                KeyDate("deadline", "2029-11-16"),
                KeyDate("reminder", "2029-11-16", 60),
                KeyDate("renewal", "2030-01-15"),
            },
        },
        MessageKinds.Invoice => new()
        {
            ["period_start"] = "2030-01-15",
            ["period_end"] = "2031-01-15",
            ["invoice"] = new Dictionary<string, object?>
            {
                ["number"] = "INV-2030-000042",
                ["issued_on"] = "2030-01-15",
                ["due_on"] = "2030-02-14",
                ["period_start"] = "2030-01-15",
                ["period_end"] = "2031-01-15",
                ["period_last_day"] = "2031-01-14",
                ["currency"] = "EUR",
                ["net"] = 13_740.00m,
                ["vat_rate"] = 0.20m,
                ["vat"] = 2_748.00m,
                ["total"] = 16_488.00m,
                ["po_number"] = "PO-77812",
                ["lines"] = new List<object?>
                {
                    new Dictionary<string, object?> { ["description"] = "Design Studio", ["quantity"] = 25m, ["unit_price"] = 480.00m, ["amount"] = 12_000.00m },
                    new Dictionary<string, object?> { ["description"] = "Render Farm", ["quantity"] = 3m, ["unit_price"] = 580.00m, ["amount"] = 1_740.00m },
                },
            },
        },
        MessageKinds.Reminder => new()
        {
            ["days"] = 60m,
            ["renewal_date"] = "2030-01-15",
            ["deadline"] = "2029-11-16",
            ["earliest_end_date"] = "2031-01-15",
            ["actions"] = new List<object?> { "issue-purchase-order", "check-with-stakeholders", "contact-advisor", "see-web-account" },
        },
        MessageKinds.CancellationAcknowledgement => new()
        {
            ["on_time"] = true,
            ["received_on"] = "2029-11-02",
            ["deadline"] = "2029-11-16",
            ["effective_end_date"] = "2030-01-15",
            ["filed_by"] = "customer",
            ["document_sha256"] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        },
        MessageKinds.RenewalConfirmation => new()
        {
            ["renewed_from"] = "2030-01-15",
            ["renewal_date"] = "2031-01-15",
            ["deadline"] = "2030-11-16",
            ["licences"] = "web-account",
            ["invoice_to"] = new Dictionary<string, object?> { ["name"] = "Claire Petit", ["email"] = "claire.petit@example.com" },
        },
        MessageKinds.LicenceAvailable => new() { ["valid_from"] = "2030-01-15", ["valid_until"] = "2031-01-15" },
        MessageKinds.SubscriptionEnded => new() { ["ended_on"] = "2030-01-15" },
        MessageKinds.ReviewInvitation or MessageKinds.ReviewCancelled => new()
        {
            ["start"] = "2027-04-20T10:00",
            ["zone"] = "Europe/Paris",
            ["duration_minutes"] = 45m,
            ["location"] = "Visio",
            ["sequence"] = 0m,
        },
        MessageKinds.CancellationWithdrawn => new()
        {
            ["received_on"] = "2029-11-02",
            ["withdrawn_on"] = "2029-12-01",
            ["cancelled_end_date"] = "2030-01-15",
            ["renewal_date"] = "2030-01-15",
        },
        MessageKinds.CreditNote => new()
        {
            ["credit_note"] = new Dictionary<string, object?>
            {
                ["number"] = "CN-2030-000003",
                ["issued_on"] = "2030-01-28",
                ["currency"] = "EUR",
                ["net"] = 13_740.00m,
                ["vat"] = 2_748.00m,
                ["total"] = 16_488.00m,
            },
            ["cancels"] = "INV-2030-000042",
            ["replaced_by"] = "INV-2030-000057",
            ["po_number"] = "PO-77812",
        },
        MessageKinds.PasswordReset => new()
        {
            ["link_path"] = "/account/reset?user=1042&token=sample-token&culture=en",
            ["link_valid_hours"] = 24m,
        },
        MessageKinds.WebInvitation => new()
        {
            ["link_path"] = "/account/invitation?user=1042&token=sample-token&culture=en",
            ["link_valid_days"] = 7m,
        },
        MessageKinds.CallbackAcknowledgement => new()
        {
            ["subject"] = "Adding 10 seats before the renewal",
            ["phone"] = "+33 1 23 45 67 89",
            ["window"] = "morning",
            ["due_date"] = "2027-04-02",
            ["due_time"] = "10:15",
            ["time_zone"] = "Europe/Paris",
        },
        MessageKinds.FeedbackSurvey => new()
        {
            ["interaction"] = "meeting",
            ["interaction_date"] = "2027-04-20",
            ["link_path"] = "/feedback/sample-token?culture=en",
            ["link_valid_days"] = 30m,
        },
        MessageKinds.Newsletter => [],
        MessageKinds.ConferenceInvitation => new()
        {
            ["event_id"] = 3m,
            ["event"] = "Renewals Spring Forum 2027",
            ["city"] = "Lyon",
            ["venue_name"] = "Cité internationale",
            ["venue_address"] = "50 quai Charles de Gaulle, 69006 Lyon",
            ["starts_on"] = "2027-04-20",
            ["ends_on"] = "2027-04-21",
            ["time_zone"] = "Europe/Paris",
        },
        MessageKinds.ConferenceMeetingConfirmed => new()
        {
            ["conference_meeting_id"] = 12m,
            ["event"] = "Renewals Spring Forum 2027",
            ["city"] = "Lyon",
            ["location"] = "Cité internationale, 50 quai Charles de Gaulle, 69006 Lyon",
            ["start"] = "2027-04-20T10:30",
            ["end"] = "2027-04-20T11:00",
            ["zone"] = "Europe/Paris",
            ["duration_minutes"] = 30m,
        },
        MessageKinds.PaymentReminder => new()
        {
            ["stage"] = 1m,
            ["days_late"] = 7m,
            ["paid"] = 6_488.00m,
            ["balance"] = 10_000.00m,
            ["invoice"] = new Dictionary<string, object?>
            {
                ["number"] = "INV-2030-000042",
                ["issued_on"] = "2030-01-15",
                ["due_on"] = "2030-02-14",
                ["currency"] = "EUR",
                ["total"] = 16_488.00m,
                ["po_number"] = "PO-77812",
            },
        },
        _ => throw new ArgumentException($"No message of kind '{kind}'.", nameof(kind)),
    };

    private static Dictionary<string, object?> KeyDate(string kind, string date, int variant = 0) =>
        new() { ["kind"] = kind, ["date"] = date, ["variant"] = (decimal)variant };
}
