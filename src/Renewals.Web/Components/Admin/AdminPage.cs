using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Renewals.Core.Access;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Web.Text;

namespace Renewals.Web.Components.Admin;

/// <summary>
/// What every administration page shares: only a signed-in administrator reaches it (anyone
/// else signed in is told the page does not exist, as /advisor and /partner do), the
/// administrator as the services' actor, and the one error or confirmation line a form shows.
/// </summary>
public abstract class AdminPage : ComponentBase
{
    [CascadingParameter] protected HttpContext HttpContext { get; set; } = default!;

    [Inject] protected NavigationManager Navigation { get; set; } = default!;

    [Inject] protected IStringLocalizer<AdminText> L { get; set; } = default!;

    /// <summary>The signed-in administrator, named in the audit trail by the user name they sign in with.</summary>
    protected Actor.Admin Admin { get; private set; } = new("-");

    protected bool Allowed { get; private set; }

    protected string? Error { get; set; }

    protected string? Done { get; set; }

    protected static CultureInfo Culture => CultureInfo.CurrentUICulture;

    public static Actor.Admin? AdminOf(ClaimsPrincipal? user) =>
        user is not null && user.IsInRole(WebRoles.Admin) && user.Identity?.Name is { Length: > 0 } name ? new Actor.Admin(name) : null;

    protected sealed override async Task OnInitializedAsync()
    {
        if (AdminOf(HttpContext.User) is not { } admin)
        {
            Navigation.NotFound();
            return;
        }

        Admin = admin;
        Allowed = true;
        await LoadAsync();
    }

    protected abstract Task LoadAsync();

    /// <summary>Runs a write; a rule it breaks becomes the page's error in the user's language, and nothing is stored.</summary>
    protected async Task<bool> TryAsync(Func<Task> write, string doneKey)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (!Allowed)
        {
            return false;
        }

        try
        {
            await write();
            Done = L[doneKey];
            Error = null;
            return true;
        }
        catch (DomainException refused)
        {
            Error = refused.Describe(Culture);
            Done = null;
            return false;
        }
    }

    /// <summary>A whole number of days as typed; anything else is refused by the page with its own message.</summary>
    protected static bool TryWhole(string? text, out int value) =>
        int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
}
