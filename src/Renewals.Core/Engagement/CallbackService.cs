using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Engagement;

namespace Renewals.Core.Engagement;

/// <summary>When the requester prefers to be called: a typed list, stored as these codes.</summary>
public static class CallbackWindows
{
    public const string Morning = "morning";
    public const string Afternoon = "afternoon";
    public const string Any = "any";

    public static IReadOnlyList<string> All { get; } = [Morning, Afternoon, Any];
}

/// <summary>What a callback form carries; <see cref="Language"/> is the page's ("fr" or "en").</summary>
public sealed record CallbackInput(string? Name, string? Company, string? Email, string? Phone, string? Subject, string? PreferredWindow, string Language);

/// <summary>A stored request: the task it became, whose it is (null: the unassigned queue), and when it falls due locally.</summary>
public sealed record CallbackReceipt(long RequestId, long TaskId, long? AccountId, long? AdvisorId, LocalDateTime DueAt, string TimeZoneId);

/// <summary>The request behind a callback task, as the advisor reads it on the task.</summary>
public sealed record CallbackDetails(
    string Name, string Company, string Email, string Phone, string Subject, string PreferredWindow, string Language, string Source,
    Instant ReceivedAt, LocalDateTime DueAt, string TimeZoneId);

/// <summary>
/// Callback requests: from the web account (the signed-in customer's account) or from the public
/// page (the account when the email matches exactly one contact). Each becomes a callback task for
/// the account's advisor, or for the unassigned queue, due the next business day at the same local
/// time (<see cref="CallbackDue"/>), and is acknowledged by email through the outbox in the
/// requester's language. Bad input is refused whole: nothing is stored.
/// </summary>
/// <param name="seller">The configured vendor, whose zone dates a request when no account is known.</param>
public sealed class CallbackService(RenewalsDbContext db, IClock clock, Invoicing.Seller seller)
{
    public const int MaxName = 200;
    public const int MaxCompany = 200;
    public const int MaxPhone = 40;
    public const int MaxSubject = 1000;

    public const string SourcePortal = "portal";
    public const string SourcePublic = "public";

    /// <summary>The form's first values for a signed-in customer: the contact the sign-in's email names, and the account.</summary>
    public async Task<CallbackInput> PrefillAsync(PortalCustomer customer, string? userEmail, string language, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == customer.AccountId).Select(a => a.Name).SingleOrDefaultAsync(ct) ?? "";
        var contact = await ContactOfAsync(customer.AccountId, userEmail, ct);
        return new CallbackInput(contact?.Name, account, contact?.Email ?? userEmail, "", "", CallbackWindows.Any, language);
    }

    /// <summary>A request from the signed-in customer's web account: its account is known.</summary>
    public async Task<CallbackReceipt> RequestFromPortalAsync(PortalCustomer customer, string? userEmail, CallbackInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var request = Validate(input);
        var contact = await ContactOfAsync(customer.AccountId, userEmail, ct);
        return await StoreAsync(request, customer.AccountId, contact?.Id, SourcePortal, $"customer:{customer.AccountId}", ct);
    }

    /// <summary>A request from the public page: the account is the one whose contact has this email, when exactly one does.</summary>
    public async Task<CallbackReceipt> RequestFromPublicAsync(CallbackInput input, CancellationToken ct = default)
    {
        var request = Validate(input);
        var email = request.Email!.ToUpperInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // translated to SQL upper(): the same comparison on both providers
        var matches = await db.Contacts.AsNoTracking().Where(c => c.Email.ToUpper() == email).Select(c => new { c.Id, c.AccountId }).Take(2).ToListAsync(ct);
#pragma warning restore CA1304, CA1311, CA1862
        var match = matches.Count == 1 ? matches[0] : null;
        return await StoreAsync(request, match?.AccountId, match?.Id, SourcePublic, "public", ct);
    }

    /// <summary>The request behind a callback task the actor may see (its own or the unassigned queue's); null otherwise.</summary>
    public async Task<CallbackDetails?> ForTaskAsync(Actor actor, long taskId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var tasks = actor switch
        {
            Actor.Advisor advisor => db.AdvisorTasks.Where(t => t.AdvisorId == advisor.Id || t.AdvisorId == null),
            _ when actor.SeesEverything => db.AdvisorTasks,
            _ => db.AdvisorTasks.Where(t => false),
        };
        var row = await db.CallbackRequests.AsNoTracking()
            .Where(r => r.AdvisorTaskId == taskId && tasks.Any(t => t.Id == taskId)).SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(row.TimeZoneId) ?? DateTimeZone.Utc;
        return new CallbackDetails(row.Name, row.Company, row.Email, row.Phone, row.Subject, row.PreferredWindow, row.Language, row.Source,
            row.ReceivedAt, row.DueAt.InZone(zone).LocalDateTime, row.TimeZoneId);
    }

    private async Task<CallbackReceipt> StoreAsync(CallbackInput request, long? accountId, long? contactId, string source, string auditActor, CancellationToken ct)
    {
        var account = accountId is { } id
            ? await db.Accounts.AsNoTracking().Where(a => a.Id == id).Select(a => new { a.Id, a.AdvisorId, a.TimeZoneId }).SingleOrDefaultAsync(ct)
                ?? throw new DomainException(DomainErrors.AccountUnknown, id)
            : null;
        var zoneId = account?.TimeZoneId ?? seller.TimeZoneId;
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DateTimeZone.Utc;
        var now = clock.GetCurrentInstant();
        var due = CallbackDue.After(now.InZone(zone));

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var task = new AdvisorTask
        {
            Kind = AdvisorTaskKinds.Callback,
            AdvisorId = account?.AdvisorId,
            AccountId = account?.Id,
            DueOn = due.Date,
            Details = Details(request),
            Status = AdvisorTaskStatus.Open,
            CreatedAt = now,
        };
        db.AdvisorTasks.Add(task);
        await db.SaveChangesAsync(ct);

        var row = new CallbackRequest
        {
            ReceivedAt = now,
            Source = source,
            AccountId = account?.Id,
            ContactId = account is null ? null : contactId,
            AdvisorTaskId = task.Id,
            Name = request.Name!,
            Company = request.Company!,
            Email = request.Email!,
            Phone = request.Phone!,
            Subject = request.Subject!,
            PreferredWindow = request.PreferredWindow!,
            Language = request.Language,
            TimeZoneId = zone.Id,
            DueAt = due.ToInstant(),
        };
        db.CallbackRequests.Add(row);
        await db.SaveChangesAsync(ct);

        db.Outbox.Add(new OutboxMessage
        {
            Template = MessageKinds.CallbackAcknowledgement,
            AccountId = row.ContactId is null ? null : row.AccountId,
            ContactId = row.ContactId,
            ToEmail = row.Email,
            Language = row.Language,
            Payload = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["recipient_name"] = row.Name,
                ["company"] = row.Company,
                ["subject"] = row.Subject,
                ["phone"] = row.Phone,
                ["window"] = row.PreferredWindow,
                ["due_date"] = LocalDatePattern.Iso.Format(due.Date),
                ["due_time"] = due.TimeOfDay.ToString("HH:mm", CultureInfo.InvariantCulture),
                ["time_zone"] = zone.Id,
            }),
            MessageId = string.Create(CultureInfo.InvariantCulture, $"<{MessageKinds.CallbackAcknowledgement}.r{row.Id}@renewals>"),
            CreatedAt = now,
            NextAttemptAt = now,
        });
        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = auditActor, Action = "callback.requested", Entity = "advisor-task", EntityId = task.Id,
            Details = string.Create(CultureInfo.InvariantCulture, $"{source}; account {(account?.Id.ToString(CultureInfo.InvariantCulture) ?? "unknown")}; {row.Email}"),
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new CallbackReceipt(row.Id, task.Id, account?.Id, account?.AdvisorId, due.LocalDateTime, zone.Id);
    }

    private async Task<Contact?> ContactOfAsync(long accountId, string? email, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId).ToListAsync(ct);
        return contacts.FirstOrDefault(c => string.Equals(c.Email.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The input trimmed, or the first rule it breaks as a coded error (the page words it in the user's language).</summary>
    private static CallbackInput Validate(CallbackInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Language is not ("en" or "fr"))
        {
            throw new DomainException(DomainErrors.LanguageUnknown, input.Language ?? "");
        }

        var name = Required(input.Name, MaxName, DomainErrors.CallbackNameRequired);
        var company = Required(input.Company, MaxCompany, DomainErrors.CallbackCompanyRequired);
        var email = input.Email?.Trim() ?? "";
        if (email.Length == 0 || email.Length > 320 || !MailAddress.TryCreate(email, out var address) || address.Address != email)
        {
            throw new DomainException(DomainErrors.CallbackEmailInvalid, email);
        }

        var phone = input.Phone?.Trim() ?? "";
        var digits = phone.Count(char.IsAsciiDigit);
        if (phone.Length > MaxPhone || digits < 6 || phone.Any(c => !(char.IsAsciiDigit(c) || c is '+' or ' ' or '.' or '-' or '(' or ')')))
        {
            throw new DomainException(DomainErrors.CallbackPhoneInvalid, phone);
        }

        var subject = Required(input.Subject, MaxSubject, DomainErrors.CallbackSubjectRequired);
        var window = input.PreferredWindow?.Trim() ?? "";
        if (!CallbackWindows.All.Contains(window, StringComparer.Ordinal))
        {
            throw new DomainException(DomainErrors.CallbackWindowUnknown, window);
        }

        return new CallbackInput(name, company, email, phone, subject, window, input.Language);
    }

    private static string Required(string? value, int max, string error)
    {
        var text = value?.Trim() ?? "";
        return text.Length == 0 || text.Length > max ? throw new DomainException(error, max) : text;
    }

    /// <summary>The request in a few lines, within the task's 1,000 characters.</summary>
    private static string Details(CallbackInput r)
    {
        var text = $"{r.Name} ({r.Company}) · {r.Phone} · {r.Email} · {r.PreferredWindow}\n{r.Subject}";
        return text.Length <= 1000 ? text : text[..999] + "…";
    }
}
