using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Renewals.Data.Model;

namespace Renewals.Web.Endpoints;

/// <summary>Sign-out and the language switch: small forms posted from every page (antiforgery checked).</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signout", async (SignInManager<WebUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/signin");
        });

        app.MapPost("/language", async ([FromForm] string lang, [FromForm] string? returnUrl, HttpContext http, UserManager<WebUser> users) =>
        {
            if (!RenewalsWeb.Cultures.Any(c => c.Name == lang))
            {
                return Results.BadRequest();
            }

            SetLanguageCookie(http, lang);
            if (http.User.Identity?.IsAuthenticated == true && await users.GetUserAsync(http.User) is { } user)
            {
                // The signed-in user's choice is kept for their next sign-in, on any browser.
                user.Language = lang;
                await users.UpdateAsync(user);
            }

            return Results.LocalRedirect(IsLocal(returnUrl) ? WithoutCulture(returnUrl!) : "/portal");
        });
        return app;
    }

    public static void SetLanguageCookie(HttpContext http, string language)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, MaxAge = TimeSpan.FromDays(365) });
    }

    /// <summary>
    /// The page to go back to without the language an emailed link named (?culture=fr): the query
    /// string outranks the cookie, so leaving it would undo the reader's own choice on that page.
    /// </summary>
    public static string WithoutCulture(string localUrl)
    {
        ArgumentNullException.ThrowIfNull(localUrl);
        var question = localUrl.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return localUrl;
        }

        var kept = QueryHelpers.ParseQuery(localUrl[question..])
            .Where(p => !string.Equals(p.Key, "culture", StringComparison.OrdinalIgnoreCase) && !string.Equals(p.Key, "ui-culture", StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)));
        return localUrl[..question] + QueryString.Create(kept).ToUriComponent();
    }

    /// <summary>Only paths of this site: an open redirect would let a link send a signed-in user anywhere.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
