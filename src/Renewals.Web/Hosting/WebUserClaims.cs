using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Renewals.Core.Access;
using Renewals.Core.Portal;
using Renewals.Data.Model;

namespace Renewals.Web.Hosting;

/// <summary>Puts what a user is bound to (account, partner, advisor) into the sign-in cookie, so pages need no lookup to check ownership.</summary>
public sealed class WebUserClaims(UserManager<WebUser> users, RoleManager<WebRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<WebUser, WebRole>(users, roles, options)
{
    public const string Account = "renewals:account";
    public const string Partner = "renewals:partner";
    public const string Advisor = "renewals:advisor";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(WebUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = await base.GenerateClaimsAsync(user);
        if (user.AccountId is { } account)
        {
            identity.AddClaim(new Claim(Account, account.ToString(CultureInfo.InvariantCulture)));
        }

        if (user.PartnerId is { } partner)
        {
            identity.AddClaim(new Claim(Partner, partner.ToString(CultureInfo.InvariantCulture)));
        }

        if (user.AdvisorId is { } advisor)
        {
            identity.AddClaim(new Claim(Advisor, advisor.ToString(CultureInfo.InvariantCulture)));
        }

        return identity;
    }

    /// <summary>The customer a signed-in user is, or null when they are not a customer bound to an account.</summary>
    public static PortalCustomer? Customer(ClaimsPrincipal? user) =>
        user is not null && user.IsInRole(WebRoles.Customer)
            && long.TryParse(user.FindFirstValue(Account), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? new PortalCustomer(id)
            : null;

    /// <summary>The advisor a signed-in user is, or null when they are not an advisor bound to one.</summary>
    public static Actor.Advisor? AdvisorOf(ClaimsPrincipal? user) =>
        user is not null && user.IsInRole(WebRoles.Advisor)
            && long.TryParse(user.FindFirstValue(Advisor), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? new Actor.Advisor(id)
            : null;

    /// <summary>The partner a signed-in user is, or null when they are not a partner bound to one.</summary>
    public static Actor.Partner? PartnerOf(ClaimsPrincipal? user) =>
        user is not null && user.IsInRole(WebRoles.Partner)
            && long.TryParse(user.FindFirstValue(Partner), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? new Actor.Partner(id)
            : null;
}
