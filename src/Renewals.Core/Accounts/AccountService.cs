using System.Net.Mail;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Accounts;

public sealed record NewContact(string Name, string Email, ContactRole Role, string? Language = null);

public sealed record NewAccount(
    string Name,
    string Language,
    string TimeZoneId,
    IReadOnlyList<NewContact> Contacts,
    bool RequiresPurchaseOrder = false,
    decimal VatRate = 0.20m,
    long? AdvisorId = null,
    long? PartnerId = null);

/// <summary>Creates customer accounts, validating every field before anything is stored.</summary>
public sealed class AccountService(RenewalsDbContext db, IClock clock)
{
    public static readonly IReadOnlyList<string> Languages = ["fr", "en"];

    public async Task<Account> CreateAsync(NewAccount input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input);
        var account = new Account
        {
            Name = input.Name.Trim(),
            Language = input.Language,
            TimeZoneId = input.TimeZoneId,
            RequiresPurchaseOrder = input.RequiresPurchaseOrder,
            VatRate = input.VatRate,
            AdvisorId = input.AdvisorId,
            PartnerId = input.PartnerId,
            CreatedAt = clock.GetCurrentInstant(),
        };
        foreach (var c in input.Contacts)
        {
            account.Contacts.Add(new Contact { Name = c.Name.Trim(), Email = c.Email.Trim(), Role = c.Role, Language = c.Language ?? input.Language });
        }

        db.Accounts.Add(account);
        await db.SaveChangesAsync(ct);
        return account;
    }

    public static void Validate(NewAccount input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            throw new DomainException(DomainErrors.CustomerRequired);
        }

        LanguageMustBeKnown(input.Language);
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(input.TimeZoneId) is null)
        {
            throw new DomainException(DomainErrors.TimeZoneUnknown, input.TimeZoneId);
        }

        if (input.VatRate is < 0 or > 1)
        {
            throw new DomainException(DomainErrors.VatRate, input.VatRate);
        }

        if (input.Contacts.Count == 0)
        {
            throw new DomainException(DomainErrors.ContactsRequired, input.Name);
        }

        foreach (var contact in input.Contacts)
        {
            if (!MailAddress.TryCreate(contact.Email, out var address) || address.Address != contact.Email.Trim())
            {
                throw new DomainException(DomainErrors.ContactEmailInvalid, contact.Email);
            }

            if (contact.Language is not null)
            {
                LanguageMustBeKnown(contact.Language);
            }
        }
    }

    private static void LanguageMustBeKnown(string language)
    {
        if (!Languages.Contains(language))
        {
            throw new DomainException(DomainErrors.LanguageUnknown, language);
        }
    }
}
