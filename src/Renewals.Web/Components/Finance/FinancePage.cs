using System.Security.Claims;
using Microsoft.Extensions.Localization;
using Renewals.Core.Access;
using Renewals.Data.Model;
using Renewals.Web.Components.Staff;
using Renewals.Web.Text;

namespace Renewals.Web.Components.Finance;

/// <summary>
/// A /finance page: a signed-in finance user (named "finance:user" in the audit trail) or an
/// administrator reaches it.
/// </summary>
public abstract class FinancePage : StaffPage<Actor, PaymentsText>
{
    protected IStringLocalizer<PaymentsText> P => Text;

    /// <summary>Finance or an administrator; null for anyone else.</summary>
    public static Actor? FinanceOf(ClaimsPrincipal? user) =>
        user?.Identity?.Name is not { Length: > 0 } name ? null
        : user.IsInRole(WebRoles.Finance) ? new Actor.Finance(name)
        : user.IsInRole(WebRoles.Admin) ? new Actor.Admin(name)
        : null;

    protected sealed override Actor? ActorOf(ClaimsPrincipal user) => FinanceOf(user);

    /// <summary>Invoice numbers as typed: separated by commas, semicolons, spaces or new lines.</summary>
    protected static IReadOnlyList<string> Numbers(string? text) =>
        (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
}
