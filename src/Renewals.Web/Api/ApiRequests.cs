using System.Globalization;
using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Accounts;
using Renewals.Core.Invoicing;
using Renewals.Core.Subscriptions;
using Renewals.Data.Model;
using Renewals.Domain.Cancellations;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;

namespace Renewals.Web.Api;

// The bodies as sent: every field nullable and dates as text, so that a missing or malformed
// field is named in the answer rather than failing the whole body at once.

/// <summary>A contact in a new account, or added to one.</summary>
public sealed record ContactBody(string? Name, string? Email, string? Role, string? Language);

/// <summary>A new customer account; a partner's key makes one of the partner's customers.</summary>
public sealed record AccountBody(
    string? Name, string? Language, string? TimeZone, IReadOnlyList<ContactBody>? Contacts, string? BillingAddress, string? VatNumber,
    bool? RequiresPurchaseOrder, decimal? VatRate, long? AdvisorId, long? PartnerId);

/// <summary>A product and its quantity in a new subscription.</summary>
public sealed record LineBody(string? ProductCode, int? Quantity, decimal? YearlyUnitPrice, string? Currency);

/// <summary>A new subscription: sold from <c>start</c> (today or later, in the account's zone).</summary>
public sealed record SubscriptionBody(long? AccountId, string? Start, int? InitialTermYears, IReadOnlyList<LineBody>? Lines, string? Billing, long? PartnerContractId);

/// <summary>A written cancellation notice: received when, how, signed by whom, and the SHA-256 of the document.</summary>
public sealed record NoticeBody(string? ReceivedAt, string? Channel, string? SignedBy, string? DocumentSha256, string? FiledBy);

/// <summary>A purchase order for an account, optionally one subscription, a period and an amount.</summary>
public sealed record PurchaseOrderBody(long? AccountId, string? Number, long? SubscriptionId, string? ValidFrom, string? ValidUntil, decimal? Amount);

/// <summary>Reads and checks request bodies and parameters, naming the field of every refusal.</summary>
public static class ApiRequests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<T> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await request.ReadFromJsonAsync<T>(Json, request.HttpContext.RequestAborted)
                ?? throw new ApiBadRequestException("body", "Field.Body");
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : "body";
            throw new ApiBadRequestException(path, path == "body" ? "Field.Body" : "Field.WrongType");
        }
        catch (InvalidOperationException)
        {
            // Not JSON at all (no or another content type).
            throw new ApiBadRequestException("body", "Field.Body");
        }
    }

    /// <summary>An element of a list in the body: <c>null</c> there is a missing element, named as such (not a failure of ours).</summary>
    public static T Element<T>(T? value, string field)
        where T : class => value ?? throw new ApiBadRequestException(field, "Field.Required");

    public static T Required<T>(T? value, string field)
        where T : struct => value ?? throw new ApiBadRequestException(field, "Field.Required");

    public static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new ApiBadRequestException(field, "Field.Required") : value;

    public static LocalDate Date(string? value, string field) =>
        LocalDatePattern.Iso.Parse(Required(value, field)) is { Success: true } parsed ? parsed.Value : throw new ApiBadRequestException(field, "Field.Date");

    public static LocalDate? OptionalDate(string? value, string field) => value is null ? null : Date(value, field);

    public static Instant Instant(string? value, string field) =>
        OffsetDateTimePattern.ExtendedIso.Parse(Required(value, field)) is { Success: true } parsed
            ? parsed.Value.ToInstant()
            : throw new ApiBadRequestException(field, "Field.Instant");

    public static TEnum Enum<TEnum>(string? value, string field, TEnum? missing = null)
        where TEnum : struct, Enum
    {
        if (value is null && missing is { } fallback)
        {
            return fallback;
        }

        var names = System.Enum.GetNames<TEnum>().Select(JsonNamingPolicy.CamelCase.ConvertName).ToList();
        var index = names.IndexOf(Required(value, field));
        return index >= 0 ? System.Enum.GetValues<TEnum>()[index] : throw new ApiBadRequestException(field, "Field.OneOf", string.Join(", ", names));
    }

    public static NewAccount ToNewAccount(AccountBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var contacts = (body.Contacts ?? throw new ApiBadRequestException("contacts", "Field.Required"))
            .Select((c, i) => ToNewContact(Element(c, $"contacts[{i}]"), $"contacts[{i}]."))
            .ToList();
        return new NewAccount(
            Required(body.Name, "name"), Required(body.Language, "language"), Required(body.TimeZone, "timeZone"), contacts,
            body.RequiresPurchaseOrder ?? false, body.VatRate ?? 0.20m, body.AdvisorId, body.PartnerId, body.BillingAddress, body.VatNumber);
    }

    public static NewContact ToNewContact(ContactBody body, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(body);
        return new NewContact(Required(body.Name, prefix + "name"), Required(body.Email, prefix + "email"),
            Enum(body.Role, prefix + "role", (ContactRole?)ContactRole.Other), body.Language);
    }

    public static NewSubscription ToNewSubscription(SubscriptionBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var lines = (body.Lines ?? throw new ApiBadRequestException("lines", "Field.Required"))
            .Select((l, i) => Element(l, $"lines[{i}]"))
            .Select((l, i) => new NewLine(Required(l.ProductCode, $"lines[{i}].productCode"), Required(l.Quantity, $"lines[{i}].quantity"), l.YearlyUnitPrice, l.Currency))
            .ToList();
        var term = Required(body.InitialTermYears, "initialTermYears");
        if (term is < 1 or > 3)
        {
            throw new ApiBadRequestException("initialTermYears", "Field.Term");
        }

        return new NewSubscription(Required(body.AccountId, "accountId"), Date(body.Start, "start"), term, lines,
            Enum(body.Billing, "billing", (BillingMode?)BillingMode.Yearly), PartnerContractId: body.PartnerContractId);
    }

    public static WrittenNotice ToNotice(NoticeBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var receivedAt = Instant(body.ReceivedAt, "receivedAt");
        var channel = Enum<NoticeChannel>(body.Channel, "channel");
        var signedBy = Required(body.SignedBy, "signedBy");
        var hash = Required(body.DocumentSha256, "documentSha256");
        return new WrittenNotice(receivedAt, channel, signedBy, hash, Enum(body.FiledBy, "filedBy", (NoticeFiler?)NoticeFiler.Customer));
    }

    public static NewPurchaseOrder ToPurchaseOrder(PurchaseOrderBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new NewPurchaseOrder(Required(body.AccountId, "accountId"), Required(body.Number, "number"), body.SubscriptionId,
            OptionalDate(body.ValidFrom, "validFrom"), OptionalDate(body.ValidUntil, "validUntil"), body.Amount);
    }

    /// <summary>A whole number from the query string, or its default when absent.</summary>
    public static int Number(string? value, string field, int fallback) =>
        value is null ? fallback
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
        : throw new ApiBadRequestException(field, "Field.Number");

    public static IReadOnlyList<int> DayList(string value, string field)
    {
        ArgumentNullException.ThrowIfNull(value);
        var days = new List<int>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var day))
            {
                throw new ApiBadRequestException(field, "Field.DayList");
            }

            days.Add(day);
        }

        return days;
    }

    /// <summary>The opaque cursor of a list: the last id seen, so rows added meanwhile are neither skipped nor repeated.</summary>
    public static string Cursor(long after) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes("v1:" + after.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static long After(string? cursor)
    {
        if (cursor is null)
        {
            return 0;
        }

        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(padded));
            if (text.StartsWith("v1:", StringComparison.Ordinal) && long.TryParse(text[3..], NumberStyles.None, CultureInfo.InvariantCulture, out var after))
            {
                return after;
            }
        }
        catch (FormatException)
        {
            // Falls through to the refusal below.
        }

        throw new ApiBadRequestException("cursor", "Field.Cursor");
    }
}
