using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Renewals.Core.Access;
using Renewals.Core.Api;
using Renewals.Web.Text;

namespace Renewals.Web.Api;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>, for /api/v1 only: the API's policy names this scheme
/// alone, so a sign-in cookie never reaches the API (no cross-site request can use it).
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys, IStringLocalizer<ApiText> text)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string KeyClaim = "renewals:apikey";
    public const string PartnerClaim = "renewals:apikey-partner";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var caller = await keys.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (caller is null)
        {
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        var claims = new List<Claim> { new(KeyClaim, caller.KeyId.ToString(CultureInfo.InvariantCulture)), new(ClaimTypes.Name, caller.Name) };
        if (caller.Actor is Actor.Partner partner)
        {
            claims.Add(new Claim(PartnerClaim, partner.Id.ToString(CultureInfo.InvariantCulture)));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, text["Title.Unauthorized"], text["Detail.Unauthorized"]);
    }

    /// <summary>The caller of an authenticated API request.</summary>
    public static ApiCaller Caller(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var id = long.Parse(user.FindFirstValue(KeyClaim) ?? throw new InvalidOperationException("not an API request"), CultureInfo.InvariantCulture);
        Actor actor = user.FindFirstValue(PartnerClaim) is { } partner
            ? new Actor.Partner(long.Parse(partner, CultureInfo.InvariantCulture))
            : new Actor.Admin($"apikey-{id}");
        return new ApiCaller(id, actor);
    }
}
