using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Renewals.Data.Model;

namespace Renewals.Web.Hosting;

/// <summary>
/// Who may reach each staff area, as endpoint metadata on every page of the area: the
/// authorization middleware then refuses a wrong role before the antiforgery check and the form
/// binding run (a page that checked the role only inside answered a wrong role's POST with the
/// framework's bare 400, where the same GET answered 404). The pages keep their own checks.
/// </summary>
public static class StaffAreas
{
    /// <summary>Each area's first path segment and the roles that may use it.</summary>
    public static IReadOnlyList<(string Prefix, string Roles)> Areas { get; } =
    [
        ("/admin", WebRoles.Admin),
        ("/finance", WebRoles.Finance + "," + WebRoles.Admin),
        ("/advisor", WebRoles.Advisor),
        ("/partner", WebRoles.Partner),
    ];

    /// <summary>The roles that may use a page at <paramref name="template"/>, or null when it is in no staff area.</summary>
    public static string? RolesOf(string? template)
    {
        var path = "/" + (template ?? "").TrimStart('/');
        foreach (var (prefix, roles) in Areas)
        {
            if (path.Equals(prefix, StringComparison.OrdinalIgnoreCase) || path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase))
            {
                return roles;
            }
        }

        return null;
    }

    /// <summary>
    /// Adds the area's role rule to every page endpoint under a staff prefix (by route, not by
    /// component: the amendment page serves both /admin and /advisor, each with its own rule).
    /// </summary>
    public static TBuilder RequireStaffRoles<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route && RolesOf(route.RoutePattern.RawText) is { } roles)
            {
                endpoint.Metadata.Add(new AuthorizeAttribute { Roles = roles });
            }
        });
        return builder;
    }

    /// <summary>
    /// A signed-in user refused a page (a wrong role) is told it does not exist (404, the not-found
    /// page), as the pages that check inside always did; nobody signed in still goes to sign in.
    /// </summary>
    public static Task AnswerNotFound(RedirectContext<CookieAuthenticationOptions> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
