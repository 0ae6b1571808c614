using Microsoft.AspNetCore.Identity;

namespace Renewals.Data.Model;

/// <summary>
/// Someone who signs in to the web: a customer's contact (bound to one account), a partner's
/// user (bound to one partner), a renewal advisor or an administrator. Identity keeps the
/// password hash, lockout and security stamp; the bindings below say whose data they may see.
/// </summary>
public sealed class WebUser : IdentityUser<long>
{
    /// <summary>The customer account a customer sees; null for every other role.</summary>
    public long? AccountId { get; set; }

    /// <summary>The partner a partner user acts for; null for every other role.</summary>
    public long? PartnerId { get; set; }

    /// <summary>The advisor row an advisor is; null for every other role.</summary>
    public long? AdvisorId { get; set; }

    /// <summary>"fr" or "en": the language the web speaks to this person, once chosen.</summary>
    public string? Language { get; set; }
}

/// <summary>A role of <see cref="WebUser"/>: see <see cref="WebRoles"/>.</summary>
public sealed class WebRole : IdentityRole<long>
{
    public WebRole()
    {
    }

    public WebRole(string name)
        : base(name)
    {
    }
}

/// <summary>The roles of the web, as one list.</summary>
public static class WebRoles
{
    public const string Customer = "customer";
    public const string Partner = "partner";
    public const string Advisor = "advisor";
    public const string Admin = "admin";

    /// <summary>Payments and collections (issue 14): invoices, payments, statements, disputes.</summary>
    public const string Finance = "finance";

    public static IReadOnlyList<string> All { get; } = [Customer, Partner, Advisor, Admin, Finance];
}
