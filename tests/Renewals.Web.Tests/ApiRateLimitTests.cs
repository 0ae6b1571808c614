using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Api;

namespace Renewals.Web.Tests;

/// <summary>
/// /api/v1 lets each key send 600 requests a minute: the 601st is refused with 429, problem
/// details in the caller's language and Retry-After; another key is not held back by it.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class ApiRateLimitTests(WebApp app)
{
    [Fact]
    public async Task The_601st_request_of_a_key_in_a_minute_is_refused_in_the_callers_language_and_another_key_goes_on()
    {
        using var busy = Client(await MakeKeyAsync("busy"), "en");
        using var busyInFrench = Client(await MakeKeyAsync("busy"), "fr");
        var started = DateTimeOffset.UtcNow;
        // Eight at a time: one after another, on a loaded machine, the 600 took most of the minute's window.
        using var inFlight = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(1, 600).Select(async i =>
        {
            await inFlight.WaitAsync();
            try
            {
                using var answer = await busy.GetAsync("/api/v1/accounts?limit=1");
                Assert.True(answer.StatusCode == HttpStatusCode.OK, $"request {i}: {(int)answer.StatusCode}");
            }
            finally
            {
                inFlight.Release();
            }
        }));

        // All 600 must fall in one window for the count to mean anything.
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(55), "600 requests took most of a minute");
        using var refused = await busy.GetAsync("/api/v1/accounts?limit=1");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var wait = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(wait, 1, 60);
        using (var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("Too many requests.", problem.RootElement.GetProperty("title").GetString());
            Assert.Equal("rate-limited", problem.RootElement.GetProperty("code").GetString());
            Assert.StartsWith("At most 600 requests a minute per API key", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // The same key asking in French: refused in French.
        using var sameKeyFrench = Client(busy.DefaultRequestHeaders.Authorization!.Parameter!, "fr");
        using var refusedFr = await sameKeyFrench.GetAsync("/api/v1/accounts?limit=1");
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedFr.StatusCode);
        using (var problem = JsonDocument.Parse(await refusedFr.Content.ReadAsStringAsync()))
        {
            Assert.Equal("Trop de requêtes.", problem.RootElement.GetProperty("title").GetString());
            Assert.StartsWith("Au plus 600\u00a0requêtes par minute pour une clé d'API\u00a0;", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Another key of the same caller, from the same address, is not held back.
        using var other = await busyInFrench.GetAsync("/api/v1/accounts?limit=1");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private async Task<string> MakeKeyAsync(string name)
    {
        await using var db = app.Database.CreateContext();
        return (await new ApiKeyService(db, SystemClock.Instance).MakeAsync(new Actor.Admin("tests"), null, name)).Secret;
    }

    private HttpClient Client(string key, string language)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }, disposeHandler: true) { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        return client;
    }
}
