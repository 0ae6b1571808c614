namespace Renewals.Web.Hosting;

/// <summary>
/// Headers on every response: scripts, styles and frames only from this site, never framed
/// elsewhere (clickjacking), no content sniffing, no full URL leaked to other sites, no
/// device feature (camera, location, ...) for any page, and over HTTPS a promise to browsers
/// to come back over HTTPS only.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>No page of ours uses a device or payment feature: none may ask for one.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    /// <summary>A year, subdomains included: set only on answers given over HTTPS, as browsers ignore it otherwise.</summary>
    public const string StrictTransportSecurity = "max-age=31536000; includeSubDomains";

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            // An endpoint that set its own policy (a message shown framed in the message centre) keeps it.
            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
            }

            // Older browsers read this instead of frame-ancestors: it says the same as the policy
            // (antiforgery's own SAMEORIGIN would loosen a page the policy keeps unframed).
            headers.XFrameOptions = headers.ContentSecurityPolicy.ToString().Contains("frame-ancestors 'self'", StringComparison.Ordinal)
                ? "SAMEORIGIN"
                : "DENY";

            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = StrictTransportSecurity;
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
