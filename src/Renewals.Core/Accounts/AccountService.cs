using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
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
    long? PartnerId = null,
    string? BillingAddress = null,
    string? VatNumber = null);

/// <summary>A person at a customer, as the operator sees it.</summary>
public sealed record ContactView(long Id, long AccountId, string Name, string Email, ContactRole Role, string Language);

/// <summary>One line of the account list.</summary>
public sealed record AccountSummary(long Id, string Name, string Language, string TimeZoneId, string? Advisor, string? Partner, int Subscriptions);

/// <summary>An account with everything the operator needs to know about it.</summary>
public sealed record AccountDetails(
    long Id, string Name, string Language, string TimeZoneId, bool RequiresPurchaseOrder, decimal VatRate, string? BillingAddress, string? VatNumber,
    long? AdvisorId, string? Advisor, long? PartnerId, string? Partner, IReadOnlyList<ContactView> Contacts, IReadOnlyList<long> SubscriptionIds);

/// <summary>Creates customer accounts, validating every field before anything is stored.</summary>
public sealed class AccountService(RenewalsDbContext db, IClock clock)
{
    public static readonly IReadOnlyList<string> Languages = ["fr", "en"];

    public const int MaxAddressLines = 6;
    public const int MaxAddressLineLength = 100;

    public async Task<Account> CreateAsync(NewAccount input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input);
        if (input.AdvisorId is { } advisorId && !await db.Advisors.AnyAsync(a => a.Id == advisorId, ct))
        {
            throw new DomainException(DomainErrors.AdvisorUnknown, advisorId);
        }

        if (input.PartnerId is { } partnerId && !await db.Partners.AnyAsync(p => p.Id == partnerId, ct))
        {
            throw new DomainException(DomainErrors.PartnerUnknown, partnerId);
        }

        var account = new Account
        {
            Name = input.Name.Trim(),
            Language = input.Language,
            TimeZoneId = input.TimeZoneId,
            RequiresPurchaseOrder = input.RequiresPurchaseOrder,
            VatRate = input.VatRate,
            AdvisorId = input.AdvisorId,
            PartnerId = input.PartnerId,
            BillingAddress = NormalizeAddress(input.BillingAddress),
            VatNumber = NormalizeVatNumber(input.VatNumber),
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
        Names.MustBeGiven(input.Name, DomainErrors.AccountNameRequired);

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

        // A blank address is a missing one, refused below as such.
        if (input.BillingAddress is { } address && !string.IsNullOrWhiteSpace(address))
        {
            var lines = address.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length is 0 or > MaxAddressLines || lines.Any(l => l.Length > MaxAddressLineLength))
            {
                throw new DomainException(DomainErrors.BillingAddressInvalid);
            }
        }

        if (input.VatNumber is { } vat)
        {
            var compact = NormalizeVatNumber(vat)!;
            if (!Renewals.Domain.Invoicing.VatNumbers.IsWellFormed(compact))
            {
                throw new DomainException(DomainErrors.VatNumberInvalid, vat);
            }
        }

        if (input.Contacts.GroupBy(c => c.Role).FirstOrDefault(g => g.Key != ContactRole.Other && g.Count() > 1) is { } twice)
        {
            throw new DomainException(DomainErrors.ContactRoleTaken, input.Name, twice.Key);
        }

        foreach (var contact in input.Contacts)
        {
            ContactMustBeValid(contact);
        }

        // Rule 10: an invoice a finance department accepts carries the buyer's address.
        if (string.IsNullOrWhiteSpace(input.BillingAddress))
        {
            throw new DomainException(DomainErrors.BillingAddressRequired);
        }
    }

    /// <summary>Adds a person to an account; an account has one primary and one accounts-payable contact at most.</summary>
    public async Task<ContactView> AddContactAsync(long accountId, NewContact input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var account = await db.Accounts.Include(a => a.Contacts).SingleOrDefaultAsync(a => a.Id == accountId, ct)
            ?? throw new DomainException(DomainErrors.AccountUnknown, accountId);
        ContactMustBeValid(input);
        if (input.Role != ContactRole.Other && account.Contacts.Any(c => c.Role == input.Role))
        {
            throw new DomainException(DomainErrors.ContactRoleTaken, account.Name, input.Role);
        }

        var contact = new Contact { Name = input.Name.Trim(), Email = input.Email.Trim(), Role = input.Role, Language = input.Language ?? account.Language };
        account.Contacts.Add(contact);
        await db.SaveChangesAsync(ct);
        return new ContactView(contact.Id, account.Id, contact.Name, contact.Email, contact.Role, contact.Language);
    }

    public async Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken ct = default) =>
        await db.Accounts.AsNoTracking().OrderBy(a => a.Id)
            .Select(a => new AccountSummary(a.Id, a.Name, a.Language, a.TimeZoneId, a.Advisor!.Name, a.Partner!.Name, a.Subscriptions.Count))
            .ToListAsync(ct);

    public async Task<AccountDetails> ShowAsync(long accountId, CancellationToken ct = default)
    {
        var a = await db.Accounts.AsNoTracking().Include(x => x.Contacts).Include(x => x.Advisor).Include(x => x.Partner)
                .SingleOrDefaultAsync(x => x.Id == accountId, ct)
            ?? throw new DomainException(DomainErrors.AccountUnknown, accountId);
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.AccountId == accountId).OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(ct);
        return new AccountDetails(a.Id, a.Name, a.Language, a.TimeZoneId, a.RequiresPurchaseOrder, a.VatRate, a.BillingAddress, a.VatNumber,
            a.AdvisorId, a.Advisor?.Name, a.PartnerId, a.Partner?.Name,
            [.. a.Contacts.OrderBy(c => c.Id).Select(c => new ContactView(c.Id, a.Id, c.Name, c.Email, c.Role, c.Language))], subscriptions);
    }

    private static string? NormalizeAddress(string? address) =>
        address is null ? null : string.Join('\n', address.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>VAT numbers are written with spaces or dots on letters; stored without them, in capitals.</summary>
    private static string? NormalizeVatNumber(string? vat) =>
        vat is null ? null : new string([.. vat.Where(c => !char.IsWhiteSpace(c) && c is not '.' and not '-')]).ToUpperInvariant();

    private static void ContactMustBeValid(NewContact contact)
    {
        Names.MustBeGiven(contact.Name, DomainErrors.ContactNameRequired);

        if (!MailAddress.TryCreate(contact.Email, out var address) || address.Address != contact.Email.Trim())
        {
            throw new DomainException(DomainErrors.ContactEmailInvalid, contact.Email);
        }

        if (contact.Language is not null)
        {
            LanguageMustBeKnown(contact.Language);
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
