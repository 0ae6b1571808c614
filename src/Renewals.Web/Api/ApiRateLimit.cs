using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Renewals.Web.Text;

namespace Renewals.Web.Api;

/// <summary>
/// /api/v1 answers each key at most <see cref="DefaultRequestsPerMinute"/> requests a minute
/// (Renewals:Api:RequestsPerMinute); past that, 429 problem details in the caller's language
/// with Retry-After. A request without a key counts against its address: 401s are cheap to ask
/// for, and each one still looks a key up.
/// </summary>
public static class ApiRateLimit
{
    public const int DefaultRequestsPerMinute = 600;
    public const string Setting = "Renewals:Api:RequestsPerMinute";

    /// <summary>Chains the API's limit after the host's own (sign-in and public forms) and answers its refusals.</summary>
    public static void Add(RateLimiterOptions options, int requestsPerMinute)
    {
        ArgumentNullException.ThrowIfNull(options);
        var perKey = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            Partition(http) is { } partition
                ? RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = requestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("not the api"));
        options.GlobalLimiter = options.GlobalLimiter is { } earlier ? PartitionedRateLimiter.CreateChained(earlier, perKey) : perKey;
        var earlierRejection = options.OnRejected;
        options.OnRejected = (context, ct) => IsApi(context.HttpContext)
            ? RefuseAsync(context, requestsPerMinute)
            : earlierRejection?.Invoke(context, ct) ?? ValueTask.CompletedTask;
    }

    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments(ApiEndpoints.Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The key's own bucket, named by a hash of it (the secret is kept in no table, not even the
    /// limiter's); without a key, the caller's address.
    /// </summary>
    private static string? Partition(HttpContext http)
    {
        if (!IsApi(http))
        {
            return null;
        }

        string? header = http.Request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > "Bearer ".Length)
        {
            return "key|" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim())));
        }

        return "address|" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    private static async ValueTask RefuseAsync(OnRejectedContext context, int requestsPerMinute)
    {
        var http = context.HttpContext;
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<ApiText>>();
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ApiProblems.WriteAsync(
            http,
            StatusCodes.Status429TooManyRequests,
            text["Title.TooManyRequests"],
            string.Format(CultureInfo.CurrentCulture, text["Detail.TooManyRequests"].Value, requestsPerMinute, seconds),
            code: "rate-limited");
    }
}
