using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Api;
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
/// Two more columns are checked here for every route: "another tenant's resource" (every route
/// with a value in its path has a row in <see cref="OtherTenant"/>: asked with the ids of an
/// account none of the demo customer, partner and advisor owns, each role and a partner's API key
/// get 404), and "who may post" (every route that takes a POST has a row in <see cref="PostUsers"/>:
/// every other caller is refused and nothing is written).
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class AuthorizationMatrixTests(WebApp app)
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
                        // A signed-in wrong role is told the page does not exist, not sent to sign in again.
                        var status = (await client.GetAsync(path)).StatusCode;
                        Assert.True(status == HttpStatusCode.NotFound, $"{route} ({path}) by {who}: {(int)status}");
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
                        Assert.True(status == (who == "nobody" ? HttpStatusCode.Redirect : HttpStatusCode.NotFound), $"{route} by {who}: {(int)status}");
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

    // --- another tenant's resources, and who may post ---------------------------------------

    /// <summary>The callers of the matrix: web roles (by their sign-in) and API keys.</summary>
    [Flags]
    private enum Who
    {
        Nobody = 1,
        Customer = 2,
        Partner = 4,
        Advisor = 8,
        Admin = 16,
        Finance = 32,
        Everyone = Nobody | Customer | Partner | Advisor | Admin | Finance,
        AdminKey = 64,
        PartnerKey = 128,
        AnyKey = AdminKey | PartnerKey,
    }

    /// <summary>How a route with an id is asked for another tenant's resource.</summary>
    private enum Tenancy
    {
        /// <summary>With the ids of an account none of the demo customer, partner and advisor owns: 404 to each of them (and to the roles of other areas).</summary>
        Foreign,

        /// <summary>Reached by a secret token alone: an unknown one answers 404 to anybody (the owner's token is checked by the feature's tests).</summary>
        Token,

        /// <summary>Administrators see every tenant: other roles get 404, with the foreign ids.</summary>
        AdminsOnly,

        /// <summary>The value in the path is no tenant's (a document name, a language, a month, a static file).</summary>
        NotATenant,
    }

    /// <summary>The ids of one account's resources (a subscription, its invoice, message, contact, notice, credit note, amendment, tasks and meetings).</summary>
    private sealed record Ids(
        long Account, long Subscription, long Invoice, long Message, long Contact, long Notice, long CreditNote, string CreditNoteNumber, long Amendment,
        long Task, long CheckIn, long Meeting, long Event);

    /// <summary>
    /// Every route whose path names a resource, asked with another tenant's ids; the test fails
    /// when a route with a value in its path has no row here.
    /// </summary>
    private static readonly Dictionary<string, (Tenancy Kind, Func<Ids, string>? Url)> OtherTenant = new(StringComparer.Ordinal)
    {
        ["GET /openapi/{documentName}.json"] = (Tenancy.NotATenant, null),
        ["GET /scalar/{documentName?}"] = (Tenancy.NotATenant, null),
        ["GET,HEAD /{**path:file}"] = (Tenancy.NotATenant, null),
        ["GET /admin/export/{kind}.csv"] = (Tenancy.AdminsOnly, _ => "/admin/export/subscriptions.csv"),
        ["GET,POST /advisor/pipeline/{Month}"] = (Tenancy.NotATenant, null),
        // Every advisor has an agenda at every event; another advisor's requests are refused in ConferenceTests.
        ["GET,POST /advisor/events/{Id:long}"] = (Tenancy.NotATenant, null),
        ["GET,POST /admin/templates/{Language}/{Kind}"] = (Tenancy.AdminsOnly, _ => "/admin/templates/fr/reminder"),

        ["GET,POST /portal/messages/{Id:long}"] = (Tenancy.Foreign, i => $"/portal/messages/{i.Message}"),
        ["GET /portal/messages/{id:long}/html"] = (Tenancy.Foreign, i => $"/portal/messages/{i.Message}/html"),
        ["GET,POST /portal/subscriptions/{Id:long}"] = (Tenancy.Foreign, i => $"/portal/subscriptions/{i.Subscription}"),
        ["GET,POST /portal/subscriptions/{Id:long}/cancel"] = (Tenancy.Foreign, i => $"/portal/subscriptions/{i.Subscription}/cancel"),
        ["GET /portal/subscriptions/{id:long}/licence"] = (Tenancy.Foreign, i => $"/portal/subscriptions/{i.Subscription}/licence"),
        ["GET /portal/invoices/{id:long}/pdf"] = (Tenancy.Foreign, i => $"/portal/invoices/{i.Invoice}/pdf"),
        ["GET /portal/credit-notes/{number}/pdf"] = (Tenancy.Foreign, i => $"/portal/credit-notes/{i.CreditNoteNumber}/pdf"),
        ["POST /portal/contacts/{id:long}/invite"] = (Tenancy.Foreign, i => $"/portal/contacts/{i.Contact}/invite"),
        ["GET,POST /portal/events/{Id:long}"] = (Tenancy.Foreign, i => $"/portal/events/{i.Event}"),
        ["GET,POST /feedback/{Token}"] = (Tenancy.Token, _ => "/feedback/not-a-survey-token"),
        ["GET,POST /newsletter/unsubscribe/{Token}"] = (Tenancy.Token, _ => "/newsletter/unsubscribe/not-a-consent-token"),
        ["POST /newsletter/unsubscribe/{token}"] = (Tenancy.Token, _ => "/newsletter/unsubscribe/not-a-consent-token"),
        ["GET /feeds/{token}.ics"] = (Tenancy.Token, _ => "/feeds/not-a-feed-token.ics"),

        ["GET,POST /admin/partners/contracts/{Id:long}"] = (Tenancy.AdminsOnly, _ => "/admin/partners/contracts/1"),
        ["GET,POST /admin/policies/{Id:long}"] = (Tenancy.AdminsOnly, _ => "/admin/policies/1"),
        ["GET,POST /admin/products/{Id:long}"] = (Tenancy.AdminsOnly, _ => "/admin/products/1"),
        ["GET,POST /admin/webhooks/{Id:long}"] = (Tenancy.AdminsOnly, _ => "/admin/webhooks/1"),
        ["GET,POST /admin/newsletter/{Id:long}"] = (Tenancy.AdminsOnly, _ => "/admin/newsletter/1"),
        ["GET,POST /admin/events/{Id:long}"] = (Tenancy.AdminsOnly, i => $"/admin/events/{i.Event}"),
        ["GET,POST /admin/subscriptions/{Id:long}/amend"] = (Tenancy.AdminsOnly, i => $"/admin/subscriptions/{i.Subscription}/amend"),

        ["GET,POST /advisor/accounts/{AccountId:long}/meetings/new"] = (Tenancy.Foreign, i => $"/advisor/accounts/{i.Account}/meetings/new"),
        ["GET,POST /advisor/accounts/{Id:long}"] = (Tenancy.Foreign, i => $"/advisor/accounts/{i.Account}"),
        ["GET,POST /advisor/accounts/{Id:long}/notice"] = (Tenancy.Foreign, i => $"/advisor/accounts/{i.Account}/notice"),
        ["GET,POST /advisor/meetings/{Id:long}"] = (Tenancy.Foreign, i => $"/advisor/meetings/{i.Meeting}"),
        ["GET,POST /advisor/tasks/{Id:long}"] = (Tenancy.Foreign, i => $"/advisor/tasks/{i.Task}"),
        ["GET,POST /advisor/tasks/{TaskId:long}/meeting"] = (Tenancy.Foreign, i => $"/advisor/tasks/{i.CheckIn}/meeting"),
        ["GET,POST /advisor/subscriptions/{Id:long}/amend"] = (Tenancy.Foreign, i => $"/advisor/subscriptions/{i.Subscription}/amend"),
        ["GET,POST /partner/customers/{Id:long}"] = (Tenancy.Foreign, i => $"/partner/customers/{i.Account}"),

        ["GET /api/v1/accounts/{id:long}"] = (Tenancy.Foreign, i => $"/api/v1/accounts/{i.Account}"),
        ["GET /api/v1/accounts/{id:long}/contacts"] = (Tenancy.Foreign, i => $"/api/v1/accounts/{i.Account}/contacts"),
        ["POST /api/v1/accounts/{id:long}/contacts"] = (Tenancy.Foreign, i => $"/api/v1/accounts/{i.Account}/contacts"),
        ["GET /api/v1/advisor-tasks/{id:long}"] = (Tenancy.Foreign, i => $"/api/v1/advisor-tasks/{i.Task}"),
        ["GET /api/v1/credit-notes/{id:long}"] = (Tenancy.Foreign, i => $"/api/v1/credit-notes/{i.CreditNote}"),
        ["GET /api/v1/invoices/{id:long}"] = (Tenancy.Foreign, i => $"/api/v1/invoices/{i.Invoice}"),
        ["GET /api/v1/messages/{id:long}"] = (Tenancy.Foreign, i => $"/api/v1/messages/{i.Message}"),
        ["GET /api/v1/notices/{id:long}"] = (Tenancy.Foreign, i => $"/api/v1/notices/{i.Notice}"),
        ["DELETE /api/v1/notices/{id:long}"] = (Tenancy.Foreign, i => $"/api/v1/notices/{i.Notice}"),
        ["GET /api/v1/subscriptions/{id:long}"] = (Tenancy.Foreign, i => $"/api/v1/subscriptions/{i.Subscription}"),
        ["GET /api/v1/subscriptions/{id:long}/licence"] = (Tenancy.Foreign, i => $"/api/v1/subscriptions/{i.Subscription}/licence"),
        ["POST /api/v1/subscriptions/{id:long}/notices"] = (Tenancy.Foreign, i => $"/api/v1/subscriptions/{i.Subscription}/notices"),
        ["GET /api/v1/subscriptions/{id:long}/timeline"] = (Tenancy.Foreign, i => $"/api/v1/subscriptions/{i.Subscription}/timeline"),
        ["GET /api/v1/subscriptions/{id:long}/amendments/"] = (Tenancy.Foreign, i => $"/api/v1/subscriptions/{i.Subscription}/amendments"),
        ["POST /api/v1/subscriptions/{id:long}/amendments/"] = (Tenancy.Foreign, i => $"/api/v1/subscriptions/{i.Subscription}/amendments"),
        ["GET /api/v1/subscriptions/{id:long}/amendments/{aid:long}"] = (Tenancy.Foreign, i => $"/api/v1/subscriptions/{i.Subscription}/amendments/{i.Amendment}"),
        ["POST /api/v1/subscriptions/{id:long}/amendments/{aid:long}/confirm"] = (Tenancy.Foreign, i => $"/api/v1/subscriptions/{i.Subscription}/amendments/{i.Amendment}/confirm"),
        // Payments are the vendor's books, not a tenant's: an administrator's key only (a partner's key gets 403, in PostUsers).
        ["POST /api/v1/payments/{id:long}/reversal"] = (Tenancy.AdminsOnly, null),
    };

    /// <summary>
    /// Every route that takes a POST (forms, endpoints, the API) and who may use it; every other
    /// caller is refused (a signed-in web role: 404; nobody signed in: sent to sign in; the API:
    /// 401 without a key, 403 or 404 to a key) and nothing is written.
    /// The test fails when a route that takes a POST has no row here.
    /// </summary>
    private static readonly Dictionary<string, Who> PostUsers = new(StringComparer.Ordinal)
    {
        ["GET,POST /"] = Who.Everyone,
        ["GET,POST /signin"] = Who.Everyone,
        ["GET,POST /signin/forgot"] = Who.Everyone,
        ["GET,POST /account/invitation"] = Who.Everyone,
        ["GET,POST /account/reset"] = Who.Everyone,
        ["GET,POST /callback"] = Who.Everyone,
        ["GET,POST /error"] = Who.Everyone,
        ["GET,POST /not-found"] = Who.Everyone,
        ["POST /language"] = Who.Everyone,
        ["POST /signout"] = Who.Everyone,
        ["GET,POST /feedback/{Token}"] = Who.Everyone,
        ["GET,POST /newsletter/unsubscribe/{Token}"] = Who.Everyone,
        ["POST /newsletter/unsubscribe/{token}"] = Who.Everyone,

        ["GET,POST /portal"] = Who.Customer,
        ["GET,POST /portal/contacts"] = Who.Customer,
        ["GET,POST /portal/invoices"] = Who.Customer,
        ["GET,POST /portal/licences"] = Who.Customer,
        ["GET,POST /portal/messages"] = Who.Customer,
        ["GET,POST /portal/purchase-orders"] = Who.Customer,
        ["GET,POST /portal/callback"] = Who.Customer,
        ["GET,POST /portal/messages/{Id:long}"] = Who.Customer,
        ["GET,POST /portal/subscriptions/{Id:long}"] = Who.Customer,
        ["GET,POST /portal/subscriptions/{Id:long}/cancel"] = Who.Customer,
        ["POST /portal/contacts/{id:long}/invite"] = Who.Customer,
        ["GET,POST /portal/feedback"] = Who.Customer,
        ["GET,POST /portal/newsletter"] = Who.Customer,
        ["GET,POST /portal/events"] = Who.Customer,
        ["GET,POST /portal/amendments"] = Who.Customer,
        ["GET,POST /portal/events/{Id:long}"] = Who.Customer,

        ["GET,POST /finance"] = Who.Finance | Who.Admin,
        ["GET,POST /finance/statements"] = Who.Finance | Who.Admin,

        ["GET,POST /admin"] = Who.Admin,
        ["GET,POST /admin/advisors"] = Who.Admin,
        ["GET,POST /admin/api-keys"] = Who.Admin,
        ["GET,POST /admin/audit"] = Who.Admin,
        ["GET,POST /admin/import"] = Who.Admin,
        ["GET,POST /admin/outbox"] = Who.Admin,
        ["GET,POST /admin/partners"] = Who.Admin,
        ["GET,POST /admin/partners/contracts/{Id:long}"] = Who.Admin,
        ["GET,POST /admin/policies"] = Who.Admin,
        ["GET,POST /admin/policies/{Id:long}"] = Who.Admin,
        ["GET,POST /admin/products"] = Who.Admin,
        ["GET,POST /admin/products/{Id:long}"] = Who.Admin,
        ["GET,POST /admin/templates"] = Who.Admin,
        ["GET,POST /admin/templates/{Language}/{Kind}"] = Who.Admin,
        ["GET,POST /admin/users"] = Who.Admin,
        ["GET,POST /admin/webhooks"] = Who.Admin,
        ["GET,POST /admin/webhooks/{Id:long}"] = Who.Admin,
        ["GET,POST /admin/feedback"] = Who.Admin,
        ["GET,POST /admin/newsletter"] = Who.Admin,
        ["GET,POST /admin/newsletter/new"] = Who.Admin,
        ["GET,POST /admin/newsletter/{Id:long}"] = Who.Admin,
        ["GET,POST /admin/events"] = Who.Admin,
        ["GET,POST /admin/events/{Id:long}"] = Who.Admin,
        ["GET,POST /admin/subscriptions/{Id:long}/amend"] = Who.Admin,

        ["GET,POST /advisor"] = Who.Advisor,
        ["GET,POST /advisor/accounts/{AccountId:long}/meetings/new"] = Who.Advisor,
        ["GET,POST /advisor/accounts/{Id:long}"] = Who.Advisor,
        ["GET,POST /advisor/accounts/{Id:long}/notice"] = Who.Advisor,
        ["GET,POST /advisor/meetings/{Id:long}"] = Who.Advisor,
        ["GET,POST /advisor/pipeline"] = Who.Advisor,
        ["GET,POST /advisor/pipeline/{Month}"] = Who.Advisor,
        ["GET,POST /advisor/preview"] = Who.Advisor,
        ["GET,POST /advisor/tasks/{Id:long}"] = Who.Advisor,
        ["GET,POST /advisor/tasks/{TaskId:long}/meeting"] = Who.Advisor,
        ["GET,POST /advisor/events"] = Who.Advisor,
        ["GET,POST /advisor/subscriptions/{Id:long}/amend"] = Who.Advisor,
        ["GET,POST /advisor/events/{Id:long}"] = Who.Advisor,
        ["GET,POST /partner"] = Who.Partner,
        ["GET,POST /partner/customers/{Id:long}"] = Who.Partner,

        ["POST /api/v1/accounts/"] = Who.AnyKey,
        ["POST /api/v1/accounts/{id:long}/contacts"] = Who.AnyKey,
        ["POST /api/v1/purchase-orders/"] = Who.AnyKey,
        ["POST /api/v1/subscriptions/"] = Who.AnyKey,
        ["POST /api/v1/subscriptions/{id:long}/notices"] = Who.AnyKey,
        ["POST /api/v1/payments/"] = Who.AdminKey,
        ["POST /api/v1/payments/{id:long}/reversal"] = Who.AdminKey,
        ["POST /api/v1/subscriptions/{id:long}/amendments/"] = Who.AnyKey,
        ["POST /api/v1/subscriptions/{id:long}/amendments/{aid:long}/confirm"] = Who.AnyKey,
    };

    /// <summary>The bodies the API's writes are asked with: right in form, so a 404 is about whose resource it is.</summary>
    private static string? BodyFor(string route) => route switch
    {
        _ when route.EndsWith("/contacts", StringComparison.Ordinal) => """{"name":"Eve Elsewhere","email":"eve@elsewhere.example"}""",
        _ when route.EndsWith("/notices", StringComparison.Ordinal) =>
            $$"""{"receivedAt":"{{NodaTime.Text.InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant().Minus(Duration.FromDays(1)))}}","channel":"email","signedBy":"Eve","documentSha256":"{{new string('b', 64)}}"}""",
        _ when route.EndsWith("/amendments/", StringComparison.Ordinal) => """{"lines":[{"productCode":"DSN-PRO","quantity":1}],"reason":"Elsewhere"}""",
        _ when route.EndsWith("/confirm", StringComparison.Ordinal) => """{"signedOrderReference":"SO-ELSEWHERE"}""",
        _ when route.StartsWith("POST", StringComparison.Ordinal) => "{}",
        _ => null,
    };

    /// <summary>The role rule each staff area's pages carry as endpoint metadata, written out by hand.</summary>
    private static readonly (string Prefix, string Roles)[] StaffAreaRoles =
        [("/admin/", "admin"), ("/finance/", "finance,admin"), ("/advisor/", "advisor"), ("/partner/", "partner")];

    [Fact]
    public async Task Every_page_of_a_staff_area_carries_its_role_rule_and_no_other_page_carries_one()
    {
        var pages = (await AppRoutes.AllAsync()).Where(r => r.Kind == "page").ToList();
        var checkedPages = 0;
        foreach (var page in pages)
        {
            var area = StaffAreaRoles.Where(a => (page.Template + "/").StartsWith(a.Prefix, StringComparison.Ordinal)).ToList();
            if (area.Count == 1)
            {
                // The authorization middleware refuses a wrong role before the antiforgery check and the form binding.
                Assert.True(page.Roles.Contains(area[0].Roles), $"{page.Template}: role rules [{string.Join("; ", page.Roles)}]");
                checkedPages++;
            }
            else
            {
                Assert.True(!page.Roles.Any(r => r.Contains("admin", StringComparison.Ordinal) || r.Contains("advisor", StringComparison.Ordinal) || r.Contains("partner", StringComparison.Ordinal)),
                    $"{page.Template} is in no staff area but carries [{string.Join("; ", page.Roles)}]");
            }
        }

        Assert.True(checkedPages >= 40, $"only {checkedPages} staff pages");
    }

    [Fact]
    public async Task Every_route_with_a_value_in_its_path_and_every_route_that_takes_a_post_has_a_row()
    {
        var routes = (await AppRoutes.AllAsync()).Where(r => r.Kind != "static").Select(r => $"{string.Join(",", r.Methods)} {r.Template}").ToList();
        Assert.Empty(routes.Where(r => r.Contains('{', StringComparison.Ordinal)).Except(OtherTenant.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(OtherTenant.Keys.Except(routes).Order(StringComparer.Ordinal));
        Assert.Empty(routes.Where(r => r.Split(' ')[0].Split(',').Contains("POST")).Except(PostUsers.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(PostUsers.Keys.Except(routes).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Another_tenants_resource_answers_404_to_every_role_and_every_key_and_nothing_is_written()
    {
        var foreign = await ForeignAsync();
        var partnerKey = await PartnerKeyAsync();
        var callers = await CallersAsync();
        using var key = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(app.BaseUrl) };
        key.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", partnerKey);
        var before = await WrittenAsync();
        var asked = 0;
        try
        {
            foreach (var (route, (kind, url)) in OtherTenant.Where(r => r.Value.Url is not null))
            {
                var path = url!(foreign);
                var method = route.Split(' ')[0].Split(',')[0];
                if (route.Contains(" /api/", StringComparison.Ordinal))
                {
                    // An administrator's key sees every tenant; a partner's sees its own customers only.
                    using var request = new HttpRequestMessage(new HttpMethod(method), path);
                    if (BodyFor(route) is { } body && method == "POST")
                    {
                        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                    }

                    using var answer = await key.SendAsync(request);
                    Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"{route} ({method} {path}) with a partner key: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                    asked++;
                    continue;
                }

                foreach (var (who, client) in callers)
                {
                    // Nobody signed in is sent to sign in (checked above); an administrator sees every tenant.
                    if ((who == Who.Nobody && kind != Tenancy.Token) || (kind == Tenancy.AdminsOnly && who == Who.Admin))
                    {
                        continue;
                    }

                    if (kind == Tenancy.Token && method == "GET")
                    {
                        // An unknown token answers 404, or the page that says the link is not (or no longer) valid.
                        using var page = await client.GetAsync(path);
                        var html = await page.Content.ReadAsStringAsync();
                        Assert.True(
                            page.StatusCode == HttpStatusCode.NotFound || (page.StatusCode == HttpStatusCode.OK && html.Contains("-unknown", StringComparison.Ordinal)),
                            $"{route} ({method} {path}) by {who}: {(int)page.StatusCode}");
                        asked++;
                        continue;
                    }

                    var status = method == "POST" ? await PostAsync(client, who, path) : await GetAsync(client, path);
                    // The area's own role gets 404, as if the resource did not exist; the other roles are
                    // refused the area itself, with the same 404 (a signed-in wrong role is never sent to sign in).
                    var owner = path.StartsWith("/portal", StringComparison.Ordinal) ? Who.Customer
                        : path.StartsWith("/advisor", StringComparison.Ordinal) ? Who.Advisor
                        : path.StartsWith("/partner", StringComparison.Ordinal) ? Who.Partner : Who.Everyone;
                    Assert.True(status == HttpStatusCode.NotFound, $"{route} ({method} {path}) by {who} (the area's role: {owner}): {(int)status}");
                    asked++;
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

        Assert.Equal(before, await WrittenAsync());
        Assert.True(asked >= 150, $"only {asked} questions asked");
    }

    [Fact]
    public async Task Every_post_route_refuses_every_caller_that_may_not_use_it_and_nothing_is_written()
    {
        var own = await IdsOfAsync(await app.AccountOfAsync(WebApp.English), make: false);
        var callers = await CallersAsync();
        var partnerKey = await PartnerKeyAsync();
        using var nobody = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(app.BaseUrl) };
        using var key = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(app.BaseUrl) };
        key.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", partnerKey);
        var before = await WrittenAsync();
        var refused = 0;
        try
        {
            foreach (var (route, users) in PostUsers.Where(p => p.Value != Who.Everyone))
            {
                // The owner's own ids: a refusal here is about who asks, not whose resource it is.
                var path = OtherTenant.TryGetValue(route, out var tenant) && tenant.Url is not null ? tenant.Url(own) : Sample(route.Split(' ')[1]);
                if (route.Contains(" /api/", StringComparison.Ordinal))
                {
                    var askers = new List<(string Who, HttpClient Client, HttpStatusCode[] Expected)>
                    {
                        ("no key", nobody, [HttpStatusCode.Unauthorized]),
                        ("a customer's sign-in", callers.Single(c => c.Who == Who.Customer).Client, [HttpStatusCode.Unauthorized]),
                        ("an administrator's sign-in", callers.Single(c => c.Who == Who.Admin).Client, [HttpStatusCode.Unauthorized]),
                    };
                    if (!users.HasFlag(Who.PartnerKey))
                    {
                        askers.Add(("a partner's key", key, [HttpStatusCode.Forbidden, HttpStatusCode.NotFound]));
                    }

                    foreach (var (who, client, expected) in askers)
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(BodyFor(route) ?? "{}", Encoding.UTF8, "application/json") };
                        using var answer = await client.SendAsync(request);
                        Assert.True(expected.Contains(answer.StatusCode), $"{route} (POST {path}) by {who}: {(int)answer.StatusCode}");
                        refused++;
                    }

                    continue;
                }

                // The page's own forms, as the role that may use it sees them: a post names one of them.
                var handlers = await HandlersAsync(callers.FirstOrDefault(c => c.Who != Who.Nobody && users.HasFlag(c.Who)).Client, path);
                foreach (var (who, client) in callers.Where(c => !users.HasFlag(c.Who)))
                {
                    foreach (var handler in handlers.DefaultIfEmpty("probe"))
                    {
                        var status = await PostAsync(client, who, path, handler);
                        // Every signed-in wrong role is told the page does not exist, as its GET is: the area's role rule
                        // refuses before the antiforgery check and the form binding (which answered 400). Nobody signed in
                        // is sent to sign in (recorded as 404 by PostAsync).
                        Assert.True(status == HttpStatusCode.NotFound, $"{route} (POST {path}, form {handler}) by {who}: {(int)status}");
                        refused++;
                    }
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

        Assert.Equal(before, await WrittenAsync());
        Assert.True(refused >= 200, $"only {refused} refusals checked");
    }

    /// <summary>
    /// Posts a form as a browser of <paramref name="who"/> would: with a valid antiforgery token
    /// (from a page the caller may see), so the answer is about who asks, not about the token.
    /// Nobody signed in is sent to sign in (302 to /signin): that is a refusal, recorded as 404 for the checks above.
    /// </summary>
    private async Task<HttpStatusCode> PostAsync(HttpClient client, Who who, string path, string handler = "probe")
    {
        var landing = who switch
        {
            Who.Customer => "/portal",
            Who.Partner => "/partner",
            Who.Advisor => "/advisor",
            Who.Admin => "/admin",
            Who.Finance => "/finance",
            _ => "/signin",
        };
        var html = await client.GetStringAsync(landing);
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, $"no antiforgery token on {landing} for {who}");
        using var form = new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)), new("_handler", handler)]);
        using var answer = await client.PostAsync(path, form);
        if (answer.StatusCode == HttpStatusCode.Redirect)
        {
            // Only a redirect to sign in is a refusal.
            Assert.StartsWith("/signin", answer.Headers.Location?.OriginalString.Replace(app.BaseUrl, "", StringComparison.Ordinal) ?? "", StringComparison.Ordinal);
            return who == Who.Nobody ? HttpStatusCode.NotFound : HttpStatusCode.Redirect;
        }

        return answer.StatusCode;
    }

    /// <summary>The names of the forms <paramref name="path"/> shows <paramref name="client"/> (at most three), none when it shows none.</summary>
    private static async Task<List<string>> HandlersAsync(HttpClient? client, string path)
    {
        if (client is null)
        {
            return [];
        }

        using var answer = await client.GetAsync(path);
        return answer.StatusCode != HttpStatusCode.OK ? []
            : [.. FormHandler().Matches(await answer.Content.ReadAsStringAsync()).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Distinct(StringComparer.Ordinal).Take(3)];
    }

    /// <summary>A GET's status; a redirect counts only when it sends to sign in.</summary>
    private async Task<HttpStatusCode> GetAsync(HttpClient client, string path)
    {
        using var answer = await client.GetAsync(path);
        if (answer.StatusCode == HttpStatusCode.Redirect)
        {
            Assert.StartsWith("/signin", answer.Headers.Location?.OriginalString.Replace(app.BaseUrl, "", StringComparison.Ordinal) ?? "", StringComparison.Ordinal);
        }

        return answer.StatusCode;
    }

    /// <summary>Every web role, signed in (nobody: with cookies, for the sign-in page's antiforgery cookie).</summary>
    private async Task<List<(Who Who, HttpClient Client)>> CallersAsync() =>
    [
        (Who.Nobody, new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(app.BaseUrl) }),
        (Who.Customer, await app.SignedInClientAsync(WebApp.English, "**/portal")),
        (Who.Partner, await app.SignedInClientAsync("partner@example.com", "**/partner")),
        (Who.Advisor, await app.SignedInClientAsync("advisor@example.com", "**/advisor")),
        (Who.Admin, await app.SignedInClientAsync("admin@example.com", "**/admin")),
        (Who.Finance, await app.SignedInClientAsync("finance@example.com", "**/finance")),
    ];

    private async Task<string> PartnerKeyAsync()
    {
        await using var db = app.Database.CreateContext();
        var partner = await db.Users.Where(u => u.Email == "partner@example.com").Select(u => u.PartnerId!.Value).SingleAsync();
        return (await new ApiKeyService(db, SystemClock.Instance).MakeAsync(new Actor.Admin("tests"), partner, "authorization matrix")).Secret;
    }

    /// <summary>The ids of an account none of the demo customer, partner and advisor owns (another advisor's, not the partner's).</summary>
    private async Task<Ids> ForeignAsync()
    {
        await using var db = app.Database.CreateContext();
        var advisor = await db.Users.Where(u => u.Email == "advisor@example.com").Select(u => u.AdvisorId!.Value).SingleAsync();
        var partner = await db.Users.Where(u => u.Email == "partner@example.com").Select(u => u.PartnerId!.Value).SingleAsync();
        var signedIn = await db.Users.Where(u => u.AccountId != null).Select(u => u.AccountId!.Value).ToListAsync();
        var account = await db.Accounts
            .Where(a => a.AdvisorId != null && a.AdvisorId != advisor && (a.PartnerId == null || a.PartnerId != partner) && !signedIn.Contains(a.Id))
            .Where(a => db.Subscriptions.Any(s => s.AccountId == a.Id) && db.Invoices.Any(i => i.AccountId == a.Id && i.Number != null)
                && db.Outbox.Any(m => m.AccountId == a.Id && m.Status == OutboxStatus.Sent))
            .OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        return await IdsOfAsync(account, make: true);
    }

    /// <summary>
    /// The ids of <paramref name="account"/>'s resources; with <paramref name="make"/>, tasks, a
    /// meeting and an event no one is invited to are made for the test (else ids no row has).
    /// </summary>
    private async Task<Ids> IdsOfAsync(long account, bool make)
    {
        await using var db = app.Database.CreateContext();
        var row = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == account);
        var subscription = await db.Subscriptions.Where(s => s.AccountId == account).OrderBy(s => s.Id).Select(s => s.Id).FirstAsync();
        var contact = await db.Contacts.Where(c => c.AccountId == account).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        var advisor = row.AdvisorId ?? await db.Advisors.OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        var today = SystemClock.Instance.GetCurrentInstant().InUtc().Date;
        var task = new AdvisorTask { AccountId = account, AdvisorId = advisor, Kind = AdvisorTaskKinds.Callback, DueOn = today, Status = AdvisorTaskStatus.Open };
        var checkIn = new AdvisorTask { AccountId = account, AdvisorId = advisor, Kind = AdvisorTaskKinds.CheckIn, DueOn = today, Status = AdvisorTaskStatus.Open };
        var meeting = new ReviewMeeting
        {
            AccountId = account, AdvisorId = advisor, ContactId = contact, Uid = $"matrix-{Guid.NewGuid():N}@renewals", Start = today.PlusDays(7).At(new LocalTime(10, 0)),
            DurationMinutes = 45, TimeZoneId = row.TimeZoneId, UpdatedAt = SystemClock.Instance.GetCurrentInstant(),
        };
        var conference = new ConferenceEvent
        {
            Name = "Matrix summit", City = "Lyon", VenueName = "Cité internationale", VenueAddress = "50 quai Charles de Gaulle\n69006 Lyon",
            TimeZoneId = "Europe/Paris", StartsOn = today.PlusDays(200), EndsOn = today.PlusDays(201),
        };
        if (make)
        {
            db.AdvisorTasks.AddRange(task, checkIn);
            db.ReviewMeetings.Add(meeting);
            db.ConferenceEvents.Add(conference);
            await db.SaveChangesAsync();
        }

        var credit = await db.CreditNotes.Where(c => c.AccountId == account).OrderBy(c => c.Id).Select(c => new { c.Id, c.Number }).FirstOrDefaultAsync();
        return new Ids(
            account, subscription,
            await db.Invoices.Where(i => i.AccountId == account && i.Number != null).OrderBy(i => i.Id).Select(i => i.Id).FirstAsync(),
            await db.Outbox.Where(m => m.AccountId == account && m.Status == OutboxStatus.Sent).OrderBy(m => m.Id).Select(m => m.Id).FirstAsync(),
            contact,
            // With no notice or credit note or amendment of its own, an id no row has: still nobody's to see.
            await db.CancellationNotices.Where(n => db.Subscriptions.Any(s => s.Id == n.SubscriptionId && s.AccountId == account)).OrderBy(n => n.Id).Select(n => (long?)n.Id).FirstOrDefaultAsync() ?? 999_999_999,
            credit?.Id ?? 999_999_999, credit?.Number ?? "CN-1999-999999",
            await db.Amendments.Where(a => a.SubscriptionId == subscription).OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefaultAsync() ?? 999_999_999,
            make ? task.Id : 999_999_999, make ? checkIn.Id : 999_999_999, make ? meeting.Id : 999_999_999, make ? conference.Id : 999_999_999);
    }

    /// <summary>A concrete path for a template with no row of ids: a known month, language and kind, else 1.</summary>
    private static string Sample(string template) =>
        PathValue().Replace(template, m => m.Groups[1].Value.ToLowerInvariant() switch
        {
            "month" => "2027-01",
            "language" => "fr",
            "kind" => "reminder",
            _ => "1",
        });

    /// <summary>
    /// What a refused request could have written: the audit trail (every write leaves a row; the host's
    /// workers' rows left out) and the rows themselves.
    /// </summary>
    private async Task<string> WrittenAsync()
    {
        await using var db = app.Database.CreateContext();
        return string.Join(",", await db.Audit.NotByWorkers().CountAsync(), await db.Contacts.CountAsync(), await db.CancellationNotices.CountAsync(), await db.CancellationNotices.CountAsync(n => n.WithdrawnAt != null),
            await db.Amendments.CountAsync(), await db.PurchaseOrders.CountAsync(), await db.Payments.CountAsync(), await db.Accounts.CountAsync(), await db.Subscriptions.CountAsync(),
            await db.Users.CountAsync(), await db.ReviewMeetings.CountAsync(), await db.AdvisorTasks.CountAsync(a => a.Status != AdvisorTaskStatus.Open));
    }

    [GeneratedRegex(@"\{\**([A-Za-z]+)[^}]*\}")]
    private static partial Regex PathValue();

    [GeneratedRegex("name=\"_handler\" value=\"([^\"]+)\"")]
    private static partial Regex FormHandler();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

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
