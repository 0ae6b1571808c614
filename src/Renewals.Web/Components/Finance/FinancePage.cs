using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Renewals.Core.Access;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Web.Text;

namespace Renewals.Web.Components.Finance;

/// <summary>
/// What every /finance page shares: only a signed-in finance user or administrator reaches it
/// (anyone else signed in is told the page does not exist, as /admin does), that person as the
/// services' actor, and the one error or confirmation line a form shows.
/// </summary>
public abstract class FinancePage : ComponentBase
{
    [CascadingParameter] protected HttpContext HttpContext { get; set; } = default!;

    [Inject] protected NavigationManager Navigation { get; set; } = default!;

    [Inject] protected IStringLocalizer<PaymentsText> P { get; set; } = default!;

    protected Actor Person { get; private set; } = new Actor.Finance("-");

    protected bool Allowed { get; private set; }

    protected string? Error { get; set; }

    protected string? Done { get; set; }

    protected static CultureInfo Culture => CultureInfo.CurrentUICulture;

    /// <summary>Finance (named "finance:user" in the audit trail) or an administrator; null for anyone else.</summary>
    public static Actor? FinanceOf(ClaimsPrincipal? user) =>
        user?.Identity?.Name is not { Length: > 0 } name ? null
        : user.IsInRole(WebRoles.Finance) ? new Actor.Finance(name)
        : user.IsInRole(WebRoles.Admin) ? new Actor.Admin(name)
        : null;

    protected sealed override async Task OnInitializedAsync()
    {
        if (FinanceOf(HttpContext.User) is not { } person)
        {
            Navigation.NotFound();
            return;
        }

        Person = person;
        Allowed = true;
        await LoadAsync();
    }

    protected abstract Task LoadAsync();

    /// <summary>Runs a write; a rule it breaks becomes the page's error in the user's language, and nothing is stored.</summary>
    protected async Task<bool> TryAsync(Func<Task<string>> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (!Allowed)
        {
            return false;
        }

        try
        {
            Done = await write();
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

    /// <summary>Invoice numbers as typed: separated by commas, semicolons, spaces or new lines.</summary>
    protected static IReadOnlyList<string> Numbers(string? text) =>
        (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
}
