using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Localization;
using Renewals.Core.Api;
using Renewals.Web.Text;

namespace Renewals.Web.Api;

/// <summary>
/// <c>Idempotency-Key</c> on every POST of the API: the first answer (success or refusal) is
/// kept for a day; the same key with the same body gets it again, unchanged, without doing the
/// work twice; the same key with another body is refused with 422, and a copy that arrives while
/// the first is still being carried out with 409. Runs after authorization, so
/// keys are per API key: two integrators cannot collide.
/// </summary>
public sealed class Idempotency(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext http, IdempotencyStore store, IStringLocalizer<ApiText> text)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(text);
        string? key = http.Request.Headers[Header];
        if (!HttpMethods.IsPost(http.Request.Method) || string.IsNullOrEmpty(key) || http.User.FindFirst(ApiKeyAuthentication.KeyClaim) is null)
        {
            await next(http);
            return;
        }

        if (key.Length > MaxKeyLength)
        {
            await ApiProblems.WriteAsync(http, StatusCodes.Status400BadRequest, text["Title.BadRequest"], null,
                new Dictionary<string, string[]> { [Header] = [string.Format(System.Globalization.CultureInfo.CurrentCulture, text["Field.Limit"].Value, MaxKeyLength)] });
            return;
        }

        var caller = ApiKeyAuthentication.Caller(http.User).Name;
        http.Request.EnableBuffering();
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        http.Request.Body.Position = 0;
        var requestHash = Convert.ToHexStringLower(SHA256.HashData(
            [.. Encoding.UTF8.GetBytes($"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}\n"), .. body.ToArray()]));

        if (await store.ReserveAsync(caller, key, requestHash, http.RequestAborted) is { } stored)
        {
            if (stored.RequestHash != requestHash)
            {
                await ApiProblems.WriteAsync(http, StatusCodes.Status422UnprocessableEntity, text["Title.IdempotencyMismatch"], text["Detail.IdempotencyMismatch"]);
                return;
            }

            if (stored.InFlight)
            {
                // The first copy is still being carried out: this one must not do it a second time.
                http.Response.Headers.RetryAfter = "1";
                await ApiProblems.WriteAsync(http, StatusCodes.Status409Conflict, text["Title.IdempotencyInFlight"], text["Detail.IdempotencyInFlight"]);
                return;
            }

            http.Response.StatusCode = stored.StatusCode;
            http.Response.ContentType = stored.ContentType;
            if (stored.Location is not null)
            {
                http.Response.Headers.Location = stored.Location;
            }

            http.Response.Headers[ReplayedHeader] = "true";
            await http.Response.Body.WriteAsync(stored.Body, http.RequestAborted);
            return;
        }

        // Keep the answer as it is written, then send it on.
        var original = http.Response.Body;
        using var answer = new MemoryStream();
        http.Response.Body = answer;
        try
        {
            await next(http);
        }
        catch
        {
            await store.ReleaseAsync(caller, key, CancellationToken.None);
            throw;
        }
        finally
        {
            http.Response.Body = original;
        }

        // A failure of ours (5xx) is not an answer: a retry under the same key should try again.
        if (http.Response.StatusCode < 500)
        {
            await store.CompleteAsync(caller, key, new StoredAnswer(requestHash, http.Response.StatusCode, http.Response.ContentType,
                http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null, answer.ToArray()), CancellationToken.None);
        }
        else
        {
            await store.ReleaseAsync(caller, key, CancellationToken.None);
        }

        answer.Position = 0;
        await answer.CopyToAsync(original, http.RequestAborted);
    }
}
