using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Renewals.Core.Access;
using Renewals.Domain;

namespace Renewals.Web.Components.Staff;

/// <summary>
/// What every staff page (/admin, /finance) shares: only the roles the page names reach it (anyone
/// else signed in is told the page does not exist, as /advisor and /partner do), that person as the
/// services' actor, and the one error or confirmation line a form shows.
/// </summary>
/// <typeparam name="TActor">Who the page's services act for.</typeparam>
/// <typeparam name="TText">The page's words.</typeparam>
public abstract class StaffPage<TActor, TText> : ComponentBase
    where TActor : Actor
{
    [CascadingParameter] protected HttpContext HttpContext { get; set; } = default!;

    [Inject] protected NavigationManager Navigation { get; set; } = default!;

    [Inject] protected IStringLocalizer<TText> Text { get; set; } = default!;

    /// <summary>The signed-in person, once <see cref="Allowed"/>; named in the audit trail by their sign-in.</summary>
    protected TActor Person { get; private set; } = default!;

    protected bool Allowed { get; private set; }

    protected string? Error { get; set; }

    protected string? Done { get; set; }

    protected static CultureInfo Culture => CultureInfo.CurrentUICulture;

    /// <summary>The actor the signed-in user is on this page, or null when the page is not theirs.</summary>
    protected abstract TActor? ActorOf(ClaimsPrincipal user);

    protected sealed override async Task OnInitializedAsync()
    {
        if (ActorOf(HttpContext.User) is not { } person)
        {
            Navigation.NotFound();
            return;
        }

        Person = person;
        Allowed = true;
        await LoadAsync();
    }

    protected abstract Task LoadAsync();

    /// <summary>
    /// Runs a write that returns its confirmation line; a rule it breaks becomes the page's error in
    /// the user's language, and nothing is stored.
    /// </summary>
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
}
