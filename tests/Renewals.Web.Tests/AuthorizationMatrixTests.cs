using System.Net;
using Microsoft.EntityFrameworkCore;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// The authorization matrix, generated from the application's own endpoint list: every route
/// (pages, forms, API, downloads, feeds) must have a row below, or
/// <see cref="Every_route_of_the_application_has_a_row"/> fails. Each row names who checks it: the
/// customer's web account and the public routes are checked here against every kind of caller
/// (nobody, the owner, another customer with the owner's ids, a partner, an advisor, an
/// administrator); the /admin, /advisor, /partner and /api/v1 rows point at the tests that hold
/// their own lists (AdminPagesTests, WorkspaceAuthorizationTests, ApiTests), not repeated here.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class AuthorizationMatrixTests(WebApp app)
{
    /// <summary>Who checks a row: this class (with the owner's address), or the test class that lists the area.</summary>
    private enum Area
    {
        Public,
        Portal,
        PortalForm,
        AdminDownload,
        Feed,
        CheckedByAdminPagesTests,
        CheckedByWorkspaceAuthorizationTests,
        CheckedByApiTests,

        /// <summary>A feature's own test class checks it against the callers it names in the row's comment.</summary>
        CheckedByFeatureTests,
        Framework,
    }

    private sealed record Owner(long Subscription, long Invoice, long Message, long Contact);

    /// <summary>Every route of the application ("METHOD template"), and who checks it; ids are the English demo customer's own.</summary>
    private static readonly Dictionary<string, (Area Area, Func<Owner, string>? Url)> Rows = new(StringComparer.Ordinal)
    {
        ["GET,POST /"] = (Area.Public, _ => "/"),
        ["GET,POST /signin"] = (Area.Public, _ => "/signin"),
        ["GET,POST /signin/forgot"] = (Area.Public, _ => "/signin/forgot"),
        ["GET,POST /account/invitation"] = (Area.Public, _ => "/account/invitation"),
        ["GET,POST /account/reset"] = (Area.Public, _ => "/account/reset"),
        ["GET,POST /callback"] = (Area.Public, _ => "/callback"),
        ["GET,POST /error"] = (Area.Public, _ => "/error"),
        ["GET,POST /not-found"] = (Area.Public, _ => "/not-found"),
        ["GET /openapi/{documentName}.json"] = (Area.Public, _ => "/openapi/v1.json"),
        ["GET /scalar/{documentName?}"] = (Area.Public, _ => "/scalar"),
        ["GET /scalar/favicon.svg"] = (Area.Public, _ => "/scalar/favicon.svg"),
        ["GET /scalar/scalar.js"] = (Area.Public, _ => "/scalar/scalar.js"),
        ["GET /scalar/scalar.aspnetcore.js"] = (Area.Public, _ => "/scalar/scalar.aspnetcore.js"),
        ["POST /language"] = (Area.Public, null),
        ["POST /signout"] = (Area.Public, null),
        ["GET /_framework/opaque-redirect"] = (Area.Framework, null),
        ["GET,HEAD /{**path:file}"] = (Area.Framework, null),

        ["GET,POST /portal"] = (Area.Portal, _ => "/portal"),
        ["GET,POST /portal/contacts"] = (Area.Portal, _ => "/portal/contacts"),
        ["GET,POST /portal/invoices"] = (Area.Portal, _ => "/portal/invoices"),
        ["GET,POST /portal/licences"] = (Area.Portal, _ => "/portal/licences"),
        ["GET,POST /portal/messages"] = (Area.Portal, _ => "/portal/messages"),
        ["GET,POST /portal/purchase-orders"] = (Area.Portal, _ => "/portal/purchase-orders"),
        ["GET,POST /portal/callback"] = (Area.Portal, _ => "/portal/callback"),
        ["GET /portal/licence-signing-key.pub.pem"] = (Area.Portal, _ => "/portal/licence-signing-key.pub.pem"),
        ["GET,POST /portal/messages/{Id:long}"] = (Area.Portal, o => $"/portal/messages/{o.Message}"),
        ["GET /portal/messages/{id:long}/html"] = (Area.Portal, o => $"/portal/messages/{o.Message}/html"),
        ["GET,POST /portal/subscriptions/{Id:long}"] = (Area.Portal, o => $"/portal/subscriptions/{o.Subscription}"),
        ["GET,POST /portal/subscriptions/{Id:long}/cancel"] = (Area.Portal, o => $"/portal/subscriptions/{o.Subscription}/cancel"),
        ["GET /portal/subscriptions/{id:long}/licence"] = (Area.Portal, o => $"/portal/subscriptions/{o.Subscription}/licence"),
        ["GET /portal/invoices/{id:long}/pdf"] = (Area.Portal, o => $"/portal/invoices/{o.Invoice}/pdf"),
        // Checked with a credit note of the customer's own by CreditNotePortalTests (the demo book may have none).
        ["GET /portal/credit-notes/{number}/pdf"] = (Area.Portal, _ => "/portal/credit-notes/CN-1999-000001/pdf"),
        ["POST /portal/contacts/{id:long}/invite"] = (Area.PortalForm, null),
        ["GET,POST /portal/feedback"] = (Area.Portal, _ => "/portal/feedback"),
        // FeedbackTests: works once with no sign-in; another account's customer and staff get 404.
        ["GET,POST /feedback/{Token}"] = (Area.CheckedByFeatureTests, null),
        ["GET,POST /portal/newsletter"] = (Area.Portal, _ => "/portal/newsletter"),
        // NewsletterTests: reached by its token alone (no sign-in, no cookie for the one-click POST); an unknown token answers 404.
        ["GET,POST /newsletter/unsubscribe/{Token}"] = (Area.CheckedByFeatureTests, null),
        ["POST /newsletter/unsubscribe/{token}"] = (Area.CheckedByFeatureTests, null),
        ["GET,POST /portal/events"] = (Area.Portal, _ => "/portal/events"),
        ["GET,POST /portal/amendments"] = (Area.Portal, _ => "/portal/amendments"),
        // ConferenceTests: an event the account is not invited to, or none, answers 404.
        ["GET,POST /portal/events/{Id:long}"] = (Area.CheckedByFeatureTests, null),
        // PaymentsTests: finance and administrators only; advisors and customers get 404, nobody signed in goes to sign-in.
        ["GET,POST /finance"] = (Area.CheckedByFeatureTests, null),
        ["GET,POST /finance/statements"] = (Area.CheckedByFeatureTests, null),

        ["GET /admin/export/{kind}.csv"] = (Area.AdminDownload, _ => "/admin/export/subscriptions.csv"),
        ["GET /feeds/{token}.ics"] = (Area.Feed, _ => "/feeds/not-a-feed-token.ics"),

        ["GET,POST /admin"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/advisors"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/api-keys"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/audit"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/import"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/outbox"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/partners"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/partners/contracts/{Id:long}"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/policies"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/policies/{Id:long}"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/products"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/products/{Id:long}"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/templates"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/templates/{Language}/{Kind}"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/users"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/webhooks"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/webhooks/{Id:long}"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/feedback"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/newsletter"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/newsletter/new"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/newsletter/{Id:long}"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/events"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/events/{Id:long}"] = (Area.CheckedByAdminPagesTests, null),
        ["GET,POST /admin/subscriptions/{Id:long}/amend"] = (Area.CheckedByAdminPagesTests, null),

        ["GET,POST /advisor"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/accounts/{AccountId:long}/meetings/new"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/accounts/{Id:long}"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/accounts/{Id:long}/notice"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/meetings/{Id:long}"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/pipeline"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/pipeline/{Month}"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/preview"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/tasks/{Id:long}"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/tasks/{TaskId:long}/meeting"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/events"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/subscriptions/{Id:long}/amend"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /advisor/events/{Id:long}"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /partner"] = (Area.CheckedByWorkspaceAuthorizationTests, null),
        ["GET,POST /partner/customers/{Id:long}"] = (Area.CheckedByWorkspaceAuthorizationTests, null),

        ["GET /api/v1/accounts/"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/accounts/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/accounts/{id:long}"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/accounts/{id:long}/contacts"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/accounts/{id:long}/contacts"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/advisor-tasks/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/advisor-tasks/{id:long}"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/credit-notes/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/credit-notes/{id:long}"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/invoices/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/invoices/{id:long}"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/key-dates"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/messages/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/messages/{id:long}"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/notices/{id:long}"] = (Area.CheckedByApiTests, null),
        ["DELETE /api/v1/notices/{id:long}"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/purchase-orders/"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/purchase-orders/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/subscriptions/"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/subscriptions/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/subscriptions/{id:long}"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/subscriptions/{id:long}/licence"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/subscriptions/{id:long}/notices"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/subscriptions/{id:long}/timeline"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/payments/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/subscriptions/{id:long}/amendments/"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/subscriptions/{id:long}/amendments/"] = (Area.CheckedByApiTests, null),
        ["GET /api/v1/subscriptions/{id:long}/amendments/{aid:long}"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/subscriptions/{id:long}/amendments/{aid:long}/confirm"] = (Area.CheckedByApiTests, null),
        ["POST /api/v1/payments/{id:long}/reversal"] = (Area.CheckedByApiTests, null),
    };

    [Fact]
    public async Task Every_route_of_the_application_has_a_row()
    {
        var routes = (await AppRoutes.AllAsync()).Where(r => r.Kind != "static").Select(r => $"{string.Join(",", r.Methods)} {r.Template}").ToList();
        Assert.Empty(routes.Except(Rows.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(Rows.Keys.Except(routes).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_web_account_answers_its_owner_only_and_public_routes_answer_everyone()
    {
        var owner = await OwnerAsync();
        using var nobody = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        using var customer = await app.SignedInClientAsync(WebApp.English, "**/portal");
        using var otherCustomer = await app.SignedInClientAsync(WebApp.French, "**/portal");
        using var partner = await app.SignedInClientAsync("partner@example.com", "**/partner");
        using var advisor = await app.SignedInClientAsync("advisor@example.com", "**/advisor");
        using var admin = await app.SignedInClientAsync("admin@example.com", "**/admin");
        var ownedAndChecked = 0;
        foreach (var (route, (area, url)) in Rows.Where(r => r.Value.Url is not null && r.Key.StartsWith("GET", StringComparison.Ordinal)))
        {
            var path = url!(owner);
            switch (area)
            {
                case Area.Public:
                    foreach (var (who, client) in new[] { ("nobody", nobody), ("customer", customer), ("admin", admin) })
                    {
                        var status = (int)(await client.GetAsync(path)).StatusCode;
                        Assert.True(status is 200 or 302, $"{route} ({path}) by {who}: {status}");
                    }

                    break;

                case Area.Portal:
                    var anonymous = await nobody.GetAsync(path);
                    Assert.Equal((route, HttpStatusCode.Redirect), (route, anonymous.StatusCode));
                    Assert.StartsWith("/signin", anonymous.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
                    var own = (await customer.GetAsync(path)).StatusCode;
                    foreach (var (who, client) in new[] { ("partner", partner), ("advisor", advisor), ("admin", admin) })
                    {
                        var status = (await client.GetAsync(path)).StatusCode;
                        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.Redirect, $"{route} ({path}) by {who}: {(int)status}");
                    }

                    if (own == HttpStatusCode.OK && route.Contains('{', StringComparison.Ordinal))
                    {
                        // Another customer asking with this customer's ids: as if they did not exist.
                        Assert.Equal((route, HttpStatusCode.NotFound), (route, (await otherCustomer.GetAsync(path)).StatusCode));
                        ownedAndChecked++;
                    }

                    break;

                case Area.AdminDownload:
                    Assert.Equal((route, HttpStatusCode.OK), (route, (await admin.GetAsync(path)).StatusCode));
                    foreach (var (who, client) in new[] { ("nobody", nobody), ("customer", customer), ("partner", partner), ("advisor", advisor) })
                    {
                        var status = (await client.GetAsync(path)).StatusCode;
                        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.Redirect, $"{route} by {who}: {(int)status}");
                    }

                    break;

                case Area.Feed:
                    // A feed is reached by its secret token alone: a wrong one answers 404 to anybody.
                    foreach (var (who, client) in new[] { ("nobody", nobody), ("customer", customer), ("admin", admin) })
                    {
                        Assert.Equal((route, who, HttpStatusCode.NotFound), (route, who, (await client.GetAsync(path)).StatusCode));
                    }

                    break;
            }
        }

        // The owner's own ids answered the owner, so the 404s above are about who asked.
        Assert.True(ownedAndChecked >= 6, $"only {ownedAndChecked} routes with ids answered their owner");
    }

    private async Task<Owner> OwnerAsync()
    {
        var account = await app.AccountOfAsync(WebApp.English);
        await using var db = app.Database.CreateContext();
        return new Owner(
            await db.Subscriptions.Where(s => s.AccountId == account).OrderBy(s => s.Id).Select(s => s.Id).FirstAsync(),
            await db.Invoices.Where(i => i.AccountId == account && i.Number != null).OrderBy(i => i.Id).Select(i => i.Id).FirstAsync(),
            await db.Outbox.Where(m => m.AccountId == account && m.Status == OutboxStatus.Sent).OrderBy(m => m.Id).Select(m => m.Id).FirstAsync(),
            await db.Contacts.Where(c => c.AccountId == account).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync());
    }
}
