using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Api;
using Renewals.Core.Partners;
using Renewals.Core.Subscriptions;
using Renewals.Testing;

namespace Renewals.Web.Tests;

/// <summary>
/// /api/v1 over HTTP against the application on a real port: keys, ownership, problem details
/// in English and French, idempotent POSTs, If-Match, cursor pages, the OpenAPI document.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class ApiTests(WebApp app)
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public async Task Every_endpoint_answers_401_without_a_key_with_a_revoked_key_and_with_a_sign_in_cookie()
    {
        var endpoints = await EndpointsAsync();
        var revoked = await MakeKeyAsync(null);
        await using (var db = app.Database.CreateContext())
        {
            await new ApiKeyService(db, SystemClock.Instance).RevokeAsync(new Actor.Admin("tests"), revoked.Id);
        }

        using var signedIn = await app.SignedInClientAsync(WebApp.French, "**/portal");
        using var anonymous = Client(null);
        using var withRevoked = Client(revoked.Secret);
        // The OpenAPI document lists every endpoint: the list below grows with it.
        Assert.True(endpoints.Count >= 20, string.Join(", ", endpoints));
        foreach (var (method, path) in endpoints)
        {
            foreach (var (who, client) in new[] { ("no key", anonymous), ("revoked key", withRevoked), ("cookie", signedIn) })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {who}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            }
        }
    }

    [Fact]
    public async Task A_partner_key_gets_404_for_another_partners_resources_and_never_lists_them()
    {
        var north = await ArrangePartnerAsync("North");
        var south = await ArrangePartnerAsync("South");
        await using var db = app.Database.CreateContext();
        var demoInvoice = await db.Invoices.Where(i => i.Number != null).OrderBy(i => i.Id).Select(i => i.Id).FirstAsync();
        var demoTask = await db.AdvisorTasks.Where(t => t.AccountId != north.Account).OrderBy(t => t.Id).Select(t => t.Id).FirstAsync();
        var southMessage = await db.Outbox.Where(m => m.AccountId == south.Account).OrderBy(m => m.Id).Select(m => m.Id).FirstAsync();
        using var client = Client(north.Key);

        var foreign = new (string Method, string Path, string? Body)[]
        {
            ("GET", $"/api/v1/accounts/{south.Account}", null),
            ("GET", $"/api/v1/accounts/{south.Account}/contacts", null),
            ("POST", $"/api/v1/accounts/{south.Account}/contacts", """{"name":"Eve","email":"eve@example.com"}"""),
            ("GET", $"/api/v1/subscriptions/{south.Subscription}", null),
            ("GET", $"/api/v1/subscriptions/{south.Subscription}/timeline", null),
            ("GET", $"/api/v1/subscriptions/{south.Subscription}/licence", null),
            ("POST", $"/api/v1/subscriptions/{south.Subscription}/notices", NoticeBody(Hash)),
            ("GET", $"/api/v1/notices/{south.Notice}", null),
            ("DELETE", $"/api/v1/notices/{south.Notice}", null),
            ("GET", $"/api/v1/invoices/{demoInvoice}", null),
            ("GET", $"/api/v1/advisor-tasks/{demoTask}", null),
            ("GET", $"/api/v1/messages/{southMessage}", null),
        };
        foreach (var (method, path, body) in foreign)
        {
            using var response = await SendAsync(client, method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var pdf = await SendAsync(client, "GET", $"/api/v1/invoices/{demoInvoice}", null, accept: "application/pdf");
        Assert.Equal(HttpStatusCode.NotFound, pdf.StatusCode);
        // A body naming another partner's account is refused on that field, and nothing is made.
        using var sale = await SendAsync(client, "POST", "/api/v1/subscriptions", SaleBody(south.Account, Today().PlusDays(2)));
        Assert.Equal((HttpStatusCode.BadRequest, "accountId"), (sale.StatusCode, ErrorField(await JsonAsync(sale))));

        Assert.Equal([north.Account], await WalkAsync(client, "/api/v1/accounts?limit=1"));
        Assert.Equal([north.Subscription], await WalkAsync(client, "/api/v1/subscriptions"));
        Assert.Empty(await WalkAsync(client, "/api/v1/invoices"));
        Assert.Empty(await WalkAsync(client, "/api/v1/advisor-tasks"));
        // The acknowledgement of North's own notice is North's only message.
        Assert.Equal(await db.Outbox.Where(m => m.AccountId == north.Account).Select(m => m.Id).ToListAsync(), await WalkAsync(client, "/api/v1/messages"));
        Assert.Equal(1, await db.CancellationNotices.CountAsync(n => n.SubscriptionId == south.Subscription));
        Assert.Null(await db.CancellationNotices.Where(n => n.Id == south.Notice).Select(n => n.WithdrawnAt).SingleAsync());

        // The same resources answer to an administrator's key.
        using var admin = Client((await MakeKeyAsync(null)).Secret);
        foreach (var path in new[] { $"/api/v1/subscriptions/{south.Subscription}/timeline", $"/api/v1/messages/{southMessage}", $"/api/v1/advisor-tasks/{demoTask}" })
        {
            using var own = await SendAsync(admin, "GET", path, null);
            Assert.True(own.StatusCode == HttpStatusCode.OK, path);
        }

        using var invoicePdf = await SendAsync(admin, "GET", $"/api/v1/invoices/{demoInvoice}", null, accept: "application/pdf");
        Assert.Equal("application/pdf", invoicePdf.Content.Headers.ContentType?.MediaType);
        Assert.Equal("%PDF-", Encoding.ASCII.GetString((await invoicePdf.Content.ReadAsByteArrayAsync())[..5]));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fr")]
    public async Task Bad_bodies_answer_400_problem_details_naming_the_field_and_the_reason_in_the_callers_language(string language)
    {
        var north = await ArrangePartnerAsync("Bad" + language);
        using var client = Client(north.Key, language);
        var before = await CountsAsync();
        var nb = '\u00A0';
        var cases = new (string Method, string Path, string? Body, string Field, string En, string Fr)[]
        {
            ("POST", "/api/v1/accounts",
                """{"name":"Mars Co","language":"fr","timeZone":"Mars/Base","billingAddress":"1 rue X","contacts":[{"name":"Ann","email":"ann@example.com"}]}""",
                "timeZone", "Unknown time zone 'Mars/Base': use an IANA id such as Europe/Paris.",
                $"Fuseau horaire «{nb}Mars/Base{nb}» inconnu{nb}: utilisez un identifiant IANA comme Europe/Paris."),
            ("POST", "/api/v1/accounts", """{"language":"fr","timeZone":"Europe/Paris","contacts":[]}""",
                "name", "This field is required.", "Ce champ est obligatoire."),
            ("POST", $"/api/v1/accounts/{north.Account}/contacts", """{"name":"Bob","email":"not-an-email"}""",
                "email", "'not-an-email' is not an email address.", $"«{nb}not-an-email{nb}» n'est pas une adresse e-mail."),
            ("POST", "/api/v1/subscriptions", $$"""{"accountId":{{north.Account}},"start":"2027-02-30","initialTermYears":1,"lines":[{"productCode":"DSN-PRO","quantity":1}]}""",
                "start", "Write a date as YYYY-MM-DD, such as 2027-01-15.", $"Écrivez une date sous la forme AAAA-MM-JJ, par exemple «{nb}2027-01-15{nb}»."),
            ("POST", "/api/v1/subscriptions", $$"""{"accountId":{{north.Account}},"start":"2027-03-01","initialTermYears":1,"lines":[{"productCode":"DSN-PRO","quantity":"ten"}]}""",
                "lines[0].quantity", "This value has the wrong type or format.", "Cette valeur n'a pas le bon type ou le bon format."),
            ("POST", $"/api/v1/subscriptions/{north.Subscription}/notices", NoticeBody("abc"),
                "documentSha256", "A written notice needs the SHA-256 of its document (64 hexadecimal characters).",
                "Une résiliation écrite doit porter l'empreinte SHA-256 de son document (64 caractères hexadécimaux)."),
            ("POST", "/api/v1/purchase-orders", $$"""{"accountId":{{north.Account}}}""",
                "number", "This field is required.", "Ce champ est obligatoire."),
            ("POST", "/api/v1/accounts", "this is not json", "body", "The body must be a JSON object.", "Le corps doit être un objet JSON."),
            ("GET", "/api/v1/key-dates?start=2027-01-15&term=4", null, "term", "The initial term is 1, 2 or 3 years.", "La durée initiale est de 1, 2 ou 3 ans."),
            ("GET", "/api/v1/accounts?limit=0", null, "limit", "Ask for 1 to 100 items a page.", "Demandez de 1 à 100 éléments par page."),
        };
        foreach (var (method, path, body, field, en, fr) in cases)
        {
            using var response = await SendAsync(client, method, path, body);
            var problem = await JsonAsync(response);
            var expected = language == "fr" ? fr : en;
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {(int)response.StatusCode} {problem}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(400, (int)problem["status"]!);
            Assert.Equal([expected], problem["errors"]![field]!.AsArray().Select(e => (string)e!));
        }

        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task The_same_idempotency_key_replays_the_first_answer_and_another_body_under_it_is_refused_with_422()
    {
        var north = await ArrangePartnerAsync("Idem");
        using var client = Client(north.Key);
        var key = Guid.NewGuid().ToString();
        var body = """{"name":"Once Only","language":"en","timeZone":"Europe/London","billingAddress":"1 High Street\nLondon","contacts":[{"name":"Ann","email":"ann@once.example","role":"primary"}]}""";

        using var first = await SendAsync(client, "POST", "/api/v1/accounts", body, idempotencyKey: key);
        using var second = await SendAsync(client, "POST", "/api/v1/accounts", body, idempotencyKey: key);
        using var other = await SendAsync(client, "POST", "/api/v1/accounts", body.Replace("Once Only", "Twice", StringComparison.Ordinal), idempotencyKey: key);
        // Another caller may use the same key for its own request.
        using var otherCaller = Client((await MakeKeyAsync(north.Partner)).Secret);
        using var third = await SendAsync(otherCaller, "POST", "/api/v1/accounts", body.Replace("Once Only", "Once Again", StringComparison.Ordinal), idempotencyKey: key);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        await using var db = app.Database.CreateContext();
        Assert.Equal(1, await db.Accounts.CountAsync(a => a.Name == "Once Only"));
        Assert.Equal(0, await db.Accounts.CountAsync(a => a.Name == "Twice"));
        Assert.Equal(1, await db.Accounts.CountAsync(a => a.Name == "Once Again"));
    }

    [Fact]
    public async Task Copies_of_one_post_sent_together_under_one_key_create_one_account()
    {
        var north = await ArrangePartnerAsync("Race");
        using var client = Client(north.Key);
        var key = Guid.NewGuid().ToString();
        var name = "Raced " + key[..8];
        var body = $$"""{"name":"{{name}}","language":"en","timeZone":"Europe/London","billingAddress":"1 High Street\nLondon","contacts":[{"name":"Ann","email":"ann@race.example"}]}""";

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SendAsync(client, "POST", "/api/v1/accounts", body, idempotencyKey: key)));
        using var after = await SendAsync(client, "POST", "/api/v1/accounts", body, idempotencyKey: key);

        // Each copy got the first answer or was told the first is still being carried out; none made a second account.
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        await using var db = app.Database.CreateContext();
        var made = await db.Accounts.Where(a => a.Name == name).Select(a => a.Id).ToListAsync();
        Assert.Equal([made.Single()], answers.Where(a => a.StatusCode == HttpStatusCode.Created).Select(a => long.Parse(a.Headers.Location!.OriginalString.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture)).Distinct());
        foreach (var a in answers)
        {
            a.Dispose();
        }
    }

    [Fact]
    public async Task Withdrawing_a_notice_with_a_stale_if_match_answers_412_and_changes_nothing()
    {
        var north = await ArrangePartnerAsync("Match");
        using var client = Client(north.Key);
        var noticeId = north.Notice;
        // A second notice on a subscription already ending is a conflict with its state.
        using var second = await SendAsync(client, "POST", $"/api/v1/subscriptions/{north.Subscription}/notices", NoticeBody(Hash));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        using var read = await SendAsync(client, "GET", $"/api/v1/notices/{noticeId}", null);
        var etag = read.Headers.ETag!.Tag;

        using var stale = await SendAsync(client, "DELETE", $"/api/v1/notices/{noticeId}", null, ifMatch: "\"not-the-current-version\"");
        await using (var db = app.Database.CreateContext())
        {
            Assert.Null(await db.CancellationNotices.Where(n => n.Id == noticeId).Select(n => n.WithdrawnAt).SingleAsync());
        }

        using var current = await SendAsync(client, "DELETE", $"/api/v1/notices/{noticeId}", null, ifMatch: etag);
        using var after = await SendAsync(client, "GET", $"/api/v1/notices/{noticeId}", null);
        using var notModified = await SendAsync(client, "GET", $"/api/v1/notices/{noticeId}", null, ifNoneMatch: after.Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.NotNull((await JsonAsync(current))["withdrawnAt"]);
        Assert.NotEqual(etag, after.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        await using var check = app.Database.CreateContext();
        Assert.NotNull(await check.CancellationNotices.Where(n => n.Id == noticeId).Select(n => n.WithdrawnAt).SingleAsync());
        Assert.Contains(await check.Audit.Where(a => a.Action == "cancellation.withdrawn" && a.EntityId == north.Subscription).Select(a => a.Actor).ToListAsync(),
            a => a == $"partner:{north.Partner}");
    }

    [Fact]
    public async Task Walking_the_pages_returns_every_row_exactly_once()
    {
        using var client = Client((await MakeKeyAsync(null)).Secret);
        await using var db = app.Database.CreateContext();
        var accounts = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).ToListAsync();
        var invoices = await db.Invoices.Where(i => i.Number != null).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync();
        var subscriptions = await db.Subscriptions.OrderBy(s => s.Id).Select(s => s.Id).ToListAsync();

        Assert.Equal(accounts, await WalkAsync(client, "/api/v1/accounts?limit=7"));
        Assert.Equal(invoices, await WalkAsync(client, "/api/v1/invoices?limit=13"));
        Assert.Equal(subscriptions, await WalkAsync(client, "/api/v1/subscriptions?limit=100"));
        using var badCursor = await SendAsync(client, "GET", "/api/v1/accounts?cursor=bm9wZQ", null);
        Assert.Equal((HttpStatusCode.BadRequest, "cursor"), (badCursor.StatusCode, ErrorField(await JsonAsync(badCursor))));
    }

    [Fact]
    public async Task Key_dates_of_a_contract_not_stored_follow_the_parameters()
    {
        using var client = Client((await MakeKeyAsync(null)).Secret, "fr");
        using var response = await SendAsync(client, "GET", "/api/v1/key-dates?start=2027-01-15&term=1&terms=1&notice_days=30&reminders=120,45&check_in_days=30&zone=America/New_York", null);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("America/New_York", (string)body["timeZone"]!);
        var term = Assert.Single(body["terms"]!.AsArray())!;
        Assert.Equal(("2027-01-15", "2028-01-15"), ((string)term["start"]!, (string)term["end"]!));
        var dates = term["keyDates"]!.AsArray().ToDictionary(k => (string)k!["key"]!, k => (string)k!["date"]!);
        // Worked out by hand: 30 days after 15 January 2027; 120, 45 and 30 days before 15 January 2028.
        Assert.Equal("2027-01-15", dates["day-one"]);
        Assert.Equal("2027-02-14", dates["check-in"]);
        Assert.Equal("2027-09-17", dates["reminder-120"]);
        Assert.Equal("2027-12-01", dates["reminder-45"]);
        Assert.Equal("2027-12-16", dates["cancellation-deadline"]);
        Assert.Equal("2028-01-15", dates["anniversary"]);
        // Day 1 falls due at midnight in New York: 05:00 UTC in winter.
        Assert.Equal("2027-01-15T05:00:00Z", (string)term["keyDates"]!.AsArray().First(k => (string)k!["key"]! == "day-one")!["fallsDueAt"]!);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api_and_scalar_serves_the_reference()
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        using var scalar = await client.GetAsync("/scalar");

        Assert.StartsWith("3.1", (string)document["openapi"]!, StringComparison.Ordinal);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/v1/key-dates", paths);
        Assert.Contains("/api/v1/subscriptions/{id}/notices", paths);
        Assert.All(paths, p => Assert.StartsWith("/api/v1/", p, StringComparison.Ordinal));
        // Every group of operations says what it is for (an undescribed tag is a lint warning and a bare heading in the reference).
        Assert.All(document["tags"]!.AsArray(), t => Assert.False(string.IsNullOrWhiteSpace((string?)t!["description"]), (string?)t["name"]));
        Assert.Equal("bearer", (string)document["components"]!["securitySchemes"]![ApiOpenApiScheme]!["scheme"]!);
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        Assert.Contains("openapi/v1.json", await scalar.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private const string ApiOpenApiScheme = Renewals.Web.Api.ApiOpenApi.BearerScheme;

    // --- arranging -----------------------------------------------------------------------------

    private sealed record Arranged(long Partner, string Key, long Account, long Subscription, long Notice);

    private sealed record MadeKey(long Id, string Secret);

    /// <summary>
    /// A partner of its own with a key, one customer (made through the API) and one contract of
    /// that customer's running since 200 days ago (imported), with a written notice filed on it.
    /// </summary>
    private async Task<Arranged> ArrangePartnerAsync(string name)
    {
        var tag = $"{name} {Guid.NewGuid():N}"[..20];
        PartnerContractView contract;
        await using (var db = app.Database.CreateContext())
        {
            contract = await new PartnerService(db).AddAsync(new NewPartnerContract(tag, $"api.{Guid.NewGuid():N}@example.com", 60, false));
        }

        var key = await MakeKeyAsync(contract.PartnerId);
        using var client = Client(key.Secret);
        using var created = await SendAsync(client, "POST", "/api/v1/accounts",
            $$"""{"name":"{{tag}} customer","language":"en","timeZone":"Europe/Paris","billingAddress":"1 rue de la Paix\n75002 Paris","contacts":[{"name":"Ann Buyer","email":"ann@customer.example","role":"primary"}]}""");
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var account = (long)(await JsonAsync(created))["id"]!;

        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        await new TestBook(app.Database, clock).ProductAsync();
        Renewals.Data.Model.Subscription subscription;
        await using (var db = app.Database.CreateContext())
        {
            // Under the partner's contract: a partner files notices only for its own contracts.
            subscription = await new SubscriptionService(db, clock).ImportAsync(new NewSubscription(
                account, Today().PlusDays(-200), 1, [new NewLine("DSN-PRO", 5, 1000m, "EUR")], PartnerContractId: contract.ContractId));
        }

        using var notice = await SendAsync(client, "POST", $"/api/v1/subscriptions/{subscription.Id}/notices", NoticeBody(Hash));
        Assert.True(notice.StatusCode == HttpStatusCode.Created, await notice.Content.ReadAsStringAsync());
        return new Arranged(contract.PartnerId, key.Secret, account, subscription.Id, (long)(await JsonAsync(notice))["id"]!);
    }

    private async Task<MadeKey> MakeKeyAsync(long? partnerId)
    {
        await using var db = app.Database.CreateContext();
        var made = await new ApiKeyService(db, SystemClock.Instance).MakeAsync(new Actor.Admin("tests"), partnerId, "tests");
        return new MadeKey(made.Key.Id, made.Secret);
    }

    private static LocalDate Today() => SystemClock.Instance.GetCurrentInstant().InUtc().Date;

    private static string NoticeBody(string hash) =>
        $$"""{"receivedAt":"{{NodaTime.Text.InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant().Minus(Duration.FromDays(2)))}}","channel":"email","signedBy":"Ann Buyer","documentSha256":"{{hash}}"}""";

    private static string SaleBody(long account, LocalDate start) =>
        $$"""{"accountId":{{account}},"start":"{{NodaTime.Text.LocalDatePattern.Iso.Format(start)}}","initialTermYears":1,"lines":[{"productCode":"DSN-PRO","quantity":2}]}""";

    private async Task<(int, int, int, int, int)> CountsAsync()
    {
        await using var db = app.Database.CreateContext();
        return (await db.Accounts.CountAsync(), await db.Contacts.CountAsync(), await db.Subscriptions.CountAsync(),
            await db.CancellationNotices.CountAsync(), await db.PurchaseOrders.CountAsync());
    }

    /// <summary>Every (method, path) of the OpenAPI document, ids set to 1.</summary>
    private async Task<List<(string Method, string Path)>> EndpointsAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        return [.. document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(o => o.Key is "get" or "post" or "put" or "patch" or "delete")
            .Select(o => (o.Key.ToUpperInvariant(), p.Key.Replace("{id}", "1", StringComparison.Ordinal).Replace("{aid}", "1", StringComparison.Ordinal))))];
    }

    private HttpClient Client(string? key, string language = "en")
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }, disposeHandler: true) { BaseAddress = new Uri(app.BaseUrl) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        return client;
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, string method, string path, string? body, string? idempotencyKey = null, string? ifMatch = null, string? ifNoneMatch = null,
        string? accept = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonNode> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new JsonException("empty body");
    }

    private static string? ErrorField(JsonNode problem) => problem["errors"]?.AsObject().Select(e => e.Key).SingleOrDefault();

    /// <summary>Follows the next links from <paramref name="first"/> to the last page, collecting the ids in order.</summary>
    private static async Task<List<long>> WalkAsync(HttpClient client, string first)
    {
        var ids = new List<long>();
        string? next = first;
        var pages = 0;
        while (next is not null)
        {
            using var response = await SendAsync(client, "GET", next, null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await JsonAsync(response);
            ids.AddRange(page["items"]!.AsArray().Select(i => (long)i!["id"]!));
            next = (string?)page["next"];
            Assert.True(++pages < 10_000, "the pages never end");
        }

        return ids;
    }
}
