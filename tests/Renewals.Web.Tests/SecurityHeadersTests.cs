using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Api;
using Renewals.Testing;

namespace Renewals.Web.Tests;

/// <summary>
/// The security headers on every answer of the web host: every GET route of the application's
/// own endpoint list, asked by nobody, a customer, an advisor, a partner, an administrator and
/// an API key (so pages, redirects to sign-in, 404s, downloads, API answers and 401s are all
/// seen), plus a missing page and a static file. The API reference (/scalar) still runs under
/// its policy in a real browser.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class SecurityHeadersTests(WebApp app)
{
    private const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    [Fact]
    public async Task Every_get_route_answers_everyone_with_the_security_headers()
    {
        var routes = await AppRoutes.GetRoutesAsync();
        Assert.True(routes.Count >= 70, $"only {routes.Count} GET routes found");
        var urls = routes.Select(r => Sample(r.Template)).ToList();
        await using (var db = app.Database.CreateContext())
        {
            // Answers that must be among those checked: a download of one's own invoice, a
            // calendar feed, an export, a missing page and a static file.
            var customer = await app.AccountOfAsync(WebApp.English);
            var invoice = await db.Invoices.Where(i => i.AccountId == customer && i.Number != null).OrderBy(i => i.Id).Select(i => i.Id).FirstAsync();
            urls.Add($"/portal/invoices/{invoice}/pdf");
            urls.Add("/admin/export/subscriptions.csv");
            urls.Add("/no-such-page");
            urls.Add("/app.css");
        }

        var key = await MakeKeyAsync();
        var callers = new List<(string Who, HttpClient Client)>
        {
            ("nobody", new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) }),
            ("customer", await app.SignedInClientAsync(WebApp.English, "**/portal")),
            ("advisor", await app.SignedInClientAsync("advisor@example.com", "**/advisor")),
            ("partner", await app.SignedInClientAsync("partner@example.com", "**/partner")),
            ("admin", await app.SignedInClientAsync("admin@example.com", "**/admin")),
            ("api key", new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(app.BaseUrl) }),
        };
        callers[^1].Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var seen = new HashSet<(int Status, string Type)>();
        try
        {
            foreach (var url in urls)
            {
                foreach (var (who, client) in callers)
                {
                    using var answer = await client.GetAsync(url);
                    var status = (int)answer.StatusCode;
                    var type = answer.Content.Headers.ContentType?.MediaType ?? "";
                    seen.Add((status, type));
                    var said = $"GET {url} by {who} ({status} {type})";
                    var policy = Header(answer, "Content-Security-Policy");
                    Assert.True(policy is not null, $"{said}: no Content-Security-Policy");
                    var frameAncestors = FrameAncestors().Match(policy!).Groups[1].Value;
                    Assert.True(frameAncestors is "'none'" or "'self'", $"{said}: frame-ancestors {frameAncestors}");
                    Assert.Equal((said, frameAncestors == "'none'" ? "DENY" : "SAMEORIGIN"), (said, Header(answer, "X-Frame-Options")));
                    Assert.DoesNotContain("'unsafe-eval'", policy!, StringComparison.Ordinal);
                    Assert.Equal((said, "nosniff"), (said, Header(answer, "X-Content-Type-Options")));
                    Assert.Equal((said, "strict-origin-when-cross-origin"), (said, Header(answer, "Referrer-Policy")));
                    Assert.Equal((said, PermissionsPolicy), (said, Header(answer, "Permissions-Policy")));
                    // Plain HTTP: a Strict-Transport-Security header would be ignored, and is not sent.
                    Assert.Equal((said, (string?)null), (said, Header(answer, "Strict-Transport-Security")));
                }
            }
        }
        finally
        {
            foreach (var (_, client) in callers)
            {
                client.Dispose();
            }
        }

        // What was seen: pages, redirects to sign-in, 404s, downloads, API answers and refusals.
        foreach (var expected in new[]
        {
            (200, "text/html"), (302, ""), (404, "text/html"), (200, "application/pdf"), (200, "text/csv"),
            (200, "application/json"), (401, "application/problem+json"), (404, "application/problem+json"), (200, "text/css"),
        })
        {
            Assert.Contains(expected, seen);
        }
    }

    [Fact]
    public async Task The_api_reference_runs_under_its_policy_without_a_refusal()
    {
        var page = await app.AnonymousPageAsync();
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal) || message.Text.Contains("Permissions-Policy", StringComparison.Ordinal))
            {
                refused.Add(message.Text);
            }
        };
        var answer = await page.GotoAsync("/scalar");
        Assert.Equal(200, answer!.Status);
        // Scalar's script renders the document's operations: it ran, and fetched /openapi/v1.json.
        await page.GetByText("Key dates of a contract that is not stored").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Empty(refused);
    }

    [Fact]
    public async Task Over_https_browsers_are_told_to_keep_to_https_and_over_http_they_are_not()
    {
        await using var database = await Renewals.Testing.TestDatabase.CreateAsync(Renewals.Data.DatabaseProvider.Sqlite);
        var folder = Path.GetDirectoryName(database.Database.SqliteFile!)!;
        // A self-signed certificate for 127.0.0.1, made here: Kestrel serves HTTPS with it.
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=127.0.0.1", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(Path.Combine(folder, "tls.pfx"), certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "test"));
        }

        var (https, http) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        await using var web = RenewalsWeb.Build([
            "--contentRoot", WebApp.WebProjectFolder(),
            "--environment", "Production",
            "--applicationName", "Renewals.Web",
            "--urls", $"https://127.0.0.1:{https};http://127.0.0.1:{http}",
            "--Kestrel:Certificates:Default:Path=" + Path.Combine(folder, "tls.pfx"),
            "--Kestrel:Certificates:Default:Password=test",
            "--Renewals:Database=" + database.Database.SqliteFile,
            "--Renewals:PickupFolder=" + Path.Combine(folder, "pickup"),
        ]);
        await web.StartAsync();
        try
        {
            using var client = new HttpClient(new HttpClientHandler
            {
                AllowAutoRedirect = false,
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            });
            foreach (var path in new[] { "/signin", "/no-such-page", "/api/v1/accounts", "/app.css" })
            {
                using var secure = await client.GetAsync($"https://127.0.0.1:{https}{path}");
                Assert.Equal((path, "max-age=31536000; includeSubDomains"), (path, Header(secure, "Strict-Transport-Security")));
                Assert.Equal((path, PermissionsPolicy), (path, Header(secure, "Permissions-Policy")));
                using var plain = await client.GetAsync($"http://127.0.0.1:{http}{path}");
                Assert.Equal((path, (string?)null), (path, Header(plain, "Strict-Transport-Security")));
            }
        }
        finally
        {
            await web.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>A concrete address for a route template: the demo's first ids, a known language, kind, month and token.</summary>
    private static string Sample(string template) =>
        RouteValue().Replace(template, m => m.Groups[1].Value.ToLowerInvariant() switch
        {
            "language" => "fr",
            "kind" when template.StartsWith("/admin/export", StringComparison.Ordinal) => "pipeline",
            "kind" => "reminder",
            "month" => "2027-01",
            "documentname" => "v1",
            "number" => "CN-2026-000001",
            "token" => "not-a-feed-token",
            "path" => "not-a-file.txt",
            _ => "1",
        }).Replace("//", "/", StringComparison.Ordinal);

    private static string? Header(HttpResponseMessage answer, string name) =>
        answer.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : answer.Content.Headers.TryGetValues(name, out var content) ? string.Join(", ", content)
        : null;

    private async Task<string> MakeKeyAsync()
    {
        await using var db = app.Database.CreateContext();
        return (await new ApiKeyService(db, SystemClock.Instance).MakeAsync(new Actor.Admin("tests"), null, "headers test")).Secret;
    }

    [GeneratedRegex(@"\{\**([A-Za-z]+)[^}]*\}")]
    private static partial Regex RouteValue();

    [GeneratedRegex(@"frame-ancestors ([^;]+)")]
    private static partial Regex FrameAncestors();
}
