using NodaTime;

namespace Renewals.Data.Model;

/// <summary>A customer organisation.</summary>
public sealed class Account
{
    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>"fr" or "en": the default language of its contacts.</summary>
    public required string Language { get; set; }

    /// <summary>IANA id of the customer's time zone; its local dates decide when things fall due.</summary>
    public required string TimeZoneId { get; set; }

    /// <summary>The account's finance needs a purchase order before it pays an invoice.</summary>
    public bool RequiresPurchaseOrder { get; set; }

    /// <summary>VAT rate applied to its invoices, as a fraction (0.20 for 20 %).</summary>
    public decimal VatRate { get; set; }

    /// <summary>The postal address invoices are made out to, one line per line of text.</summary>
    public string? BillingAddress { get; set; }

    /// <summary>The customer's intra-community VAT number, printed on its invoices.</summary>
    public string? VatNumber { get; set; }

    public long? AdvisorId { get; set; }

    public Advisor? Advisor { get; set; }

    /// <summary>Set when the customer bought through a partner.</summary>
    public long? PartnerId { get; set; }

    public Partner? Partner { get; set; }

    public Instant CreatedAt { get; set; }

    public List<Contact> Contacts { get; } = [];

    public List<Subscription> Subscriptions { get; } = [];
}

public enum ContactRole
{
    Primary,
    AccountsPayable,
    Other,
}

/// <summary>A person at a customer: the primary contact, accounts payable, or another user.</summary>
public sealed class Contact
{
    public long Id { get; set; }

    public long AccountId { get; set; }

    public Account? Account { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    public ContactRole Role { get; set; }

    /// <summary>"fr" or "en": the language messages to this person are written in.</summary>
    public required string Language { get; set; }
}

/// <summary>A renewal advisor and, through <see cref="Accounts"/>, their book of accounts.</summary>
public sealed class Advisor
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    public required string Language { get; set; }

    public List<Account> Accounts { get; } = [];
}

/// <summary>A reseller that sells subscriptions to its own customers.</summary>
public sealed class Partner
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    public List<PartnerContract> Contracts { get; } = [];
}

/// <summary>The partner's contract terms that govern cancellation for its customers.</summary>
public sealed class PartnerContract
{
    public long Id { get; set; }

    public long PartnerId { get; set; }

    public Partner? Partner { get; set; }

    public int NoticeDays { get; set; }

    public bool CancellationFiledByPartnerOnly { get; set; }
}
