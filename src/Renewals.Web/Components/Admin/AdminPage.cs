using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Localization;
using Renewals.Core.Access;
using Renewals.Data.Model;
using Renewals.Web.Components.Staff;
using Renewals.Web.Text;

namespace Renewals.Web.Components.Admin;

/// <summary>
/// An administration page: only a signed-in administrator reaches it, named in the audit trail by
/// the user name they sign in with.
/// </summary>
public abstract class AdminPage : StaffPage<Actor.Admin, AdminText>
{
    protected IStringLocalizer<AdminText> L => Text;

    /// <summary>The signed-in administrator.</summary>
    protected Actor.Admin Admin => Person;

    public static Actor.Admin? AdminOf(ClaimsPrincipal? user) =>
        user is not null && user.IsInRole(WebRoles.Admin) && user.Identity?.Name is { Length: > 0 } name ? new Actor.Admin(name) : null;

    protected sealed override Actor.Admin? ActorOf(ClaimsPrincipal user) => AdminOf(user);

    /// <summary>Runs a write whose confirmation is the line <paramref name="doneKey"/> names.</summary>
    protected Task<bool> TryAsync(Func<Task> write, string doneKey)
    {
        ArgumentNullException.ThrowIfNull(write);
        return TryAsync(async () =>
        {
            await write();
            return L[doneKey].Value;
        });
    }

    /// <summary>A whole number of days as typed; anything else is refused by the page with its own message.</summary>
    protected static bool TryWhole(string? text, out int value) =>
        int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
}
