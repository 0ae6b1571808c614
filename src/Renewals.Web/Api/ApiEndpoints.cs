using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using NodaTime;
using Renewals.Core.Accounts;
using Renewals.Core.Api;
using Renewals.Core.Licensing;
using Renewals.Core.Subscriptions;
using Renewals.Domain;
using Renewals.Domain.Policies;
using Renewals.Domain.Timeline;
using Renewals.Web.Text;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;
using DomainSubscription = Renewals.Domain.Subscriptions.Subscription;

namespace Renewals.Web.Api;

/// <summary>A page of a list and the link to the next one (absent on the last page).</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>The key dates of a contract that is not stored, as <c>renewals timeline</c> computes them.</summary>
public sealed record KeyDatesAnswer(LocalDate Start, int InitialTermYears, string TimeZone, BillingMode Billing, string Language, IReadOnlyList<KeyDatesTerm> Terms);

public sealed record KeyDatesTerm(int Number, LocalDate Start, LocalDate End, IReadOnlyList<KeyDate> KeyDates);

public sealed record KeyDate(string Key, MilestoneKind Kind, LocalDate Date, Instant FallsDueAt, string Title, string Reason, bool RecommendedValidation);

/// <summary>A stored subscription's terms and key dates, with what became of each.</summary>
public sealed record TimelineAnswer(long SubscriptionId, string TimeZone, IReadOnlyList<TermView> Terms, IReadOnlyList<KeyDateView> KeyDates);

/// <summary>/api/v1: minimal-API groups over the Core services, for integrators holding an API key.</summary>
public static class ApiEndpoints
{
    public const string Prefix = "/api/v1";
    public const int DefaultLimit = 50;
    public const int MaxTerms = 50;

    public static IServiceCollection AddRenewalsApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiKeyAuthentication.SchemeName, p => p.AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName).RequireAuthenticatedUser());
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddRenewalsOpenApi();
        return services;
    }

    /// <summary>The API's own steps in the pipeline: no HTML error pages, buffered idempotent POSTs.</summary>
    public static IApplicationBuilder UseRenewalsApi(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Prefix), api => api
            .Use((http, next) =>
            {
                // An API answers problem details, never the site's HTML "not found" page.
                if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
                {
                    pages.Enabled = false;
                }

                return next(http);
            })
            .UseMiddleware<Idempotency>());

    public static IEndpointRouteBuilder MapRenewalsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix)
            .RequireAuthorization(ApiKeyAuthentication.SchemeName)
            .AddEndpointFilter(ApiProblems.Filter)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        api.MapGet("/key-dates", KeyDates)
            .WithTags("Key dates").WithName("getKeyDates").WithSummary("Key dates of a contract that is not stored")
            .WithMetadata(new ApiFields(new Dictionary<string, string>
            {
                [DomainErrors.InitialTermYears] = "term",
                [DomainErrors.CheckInOffset] = "check_in_days",
                [DomainErrors.ReminderOffset] = "reminders",
                [DomainErrors.ReminderOffsetsRepeated] = "reminders",
                [DomainErrors.NoticeDays] = "notice_days",
                [DomainErrors.TimeZoneUnknown] = "zone",
            }))
            .Produces<KeyDatesAnswer>().ProducesValidationProblem();

        var accounts = api.MapGroup("/accounts").WithTags("Accounts");
        accounts.MapGet("", async (string? cursor, int? limit, HttpContext http, ApiService service) =>
                ListAnswer(http, await service.AccountsAsync(Caller(http), ApiRequests.After(cursor), Limit(limit), http.RequestAborted), limit))
            .WithName("listAccounts").WithSummary("List the accounts the key reaches")
            .Produces<ListPage<AccountSummary>>().ProducesValidationProblem();
        accounts.MapGet("/{id:long}", async (long id, HttpContext http, ApiService service) =>
                Resource(http, await service.AccountAsync(Caller(http), id, http.RequestAborted)))
            .WithName("getAccount").WithSummary("Get an account with its contacts")
            .Produces<AccountDetails>().ProducesProblem(StatusCodes.Status404NotFound);
        accounts.MapPost("", async (HttpContext http, ApiService service) =>
            {
                var created = await service.CreateAccountAsync(Caller(http), ApiRequests.ToNewAccount(await ApiRequests.ReadAsync<AccountBody>(http.Request)), http.RequestAborted);
                return Results.Created($"{Prefix}/accounts/{created.Id}", created);
            })
            .WithName("createAccount").WithSummary("Create an account")
            .Accepts<AccountBody>("application/json").Produces<AccountDetails>(StatusCodes.Status201Created).ProducesValidationProblem();
        accounts.MapGet("/{id:long}/contacts", async (long id, string? cursor, int? limit, HttpContext http, ApiService service) =>
                ListAnswer(http, await service.ContactsAsync(Caller(http), id, ApiRequests.After(cursor), Limit(limit), http.RequestAborted), limit))
            .WithName("listContacts").WithSummary("List an account's contacts")
            .Produces<ListPage<ContactView>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        accounts.MapPost("/{id:long}/contacts", async (long id, HttpContext http, ApiService service) =>
            {
                var contact = await service.AddContactAsync(Caller(http), id, ApiRequests.ToNewContact(await ApiRequests.ReadAsync<ContactBody>(http.Request)), http.RequestAborted);
                return Results.Created($"{Prefix}/accounts/{id}/contacts", contact);
            })
            .WithName("addContact").WithSummary("Add a contact to an account")
            .WithMetadata(new ApiFields(new Dictionary<string, string>
            {
                [DomainErrors.ContactNameRequired] = "name",
                [DomainErrors.ContactEmailInvalid] = "email",
                [DomainErrors.ContactRoleTaken] = "role",
                [DomainErrors.LanguageUnknown] = "language",
            }))
            .Accepts<ContactBody>("application/json").Produces<ContactView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        var subscriptions = api.MapGroup("/subscriptions").WithTags("Subscriptions");
        subscriptions.MapGet("", async (string? cursor, int? limit, HttpContext http, ApiService service) =>
                ListAnswer(http, await service.SubscriptionsAsync(Caller(http), ApiRequests.After(cursor), Limit(limit), http.RequestAborted), limit))
            .WithName("listSubscriptions").WithSummary("List the subscriptions the key reaches")
            .Produces<ListPage<SubscriptionSummary>>().ProducesValidationProblem();
        subscriptions.MapPost("", async (HttpContext http, ApiService service) =>
            {
                var sold = await service.SellAsync(Caller(http), ApiRequests.ToNewSubscription(await ApiRequests.ReadAsync<SubscriptionBody>(http.Request)),
                    CultureInfo.CurrentUICulture, http.RequestAborted);
                return Results.Created($"{Prefix}/subscriptions/{sold.Summary.Id}", sold);
            })
            .WithName("createSubscription").WithSummary("Sell a subscription and plan its key dates")
            .Accepts<SubscriptionBody>("application/json").Produces<SubscriptionDetails>(StatusCodes.Status201Created).ProducesValidationProblem();
        subscriptions.MapGet("/{id:long}", async (long id, HttpContext http, ApiService service) =>
                Resource(http, await service.SubscriptionAsync(Caller(http), id, CultureInfo.CurrentUICulture, http.RequestAborted)))
            .WithName("getSubscription").WithSummary("Get a subscription with its story")
            .Produces<SubscriptionDetails>().ProducesProblem(StatusCodes.Status404NotFound);
        subscriptions.MapGet("/{id:long}/timeline", async (long id, HttpContext http, ApiService service) =>
            {
                var s = await service.SubscriptionAsync(Caller(http), id, CultureInfo.CurrentUICulture, http.RequestAborted);
                return Resource(http, new TimelineAnswer(id, s.TimeZoneId, s.Terms, s.KeyDates));
            })
            .WithName("getSubscriptionTimeline").WithSummary("Get a subscription's key dates and what became of them")
            .Produces<TimelineAnswer>().ProducesProblem(StatusCodes.Status404NotFound);
        subscriptions.MapPost("/{id:long}/notices", async (long id, HttpContext http, ApiService service) =>
            {
                var notice = await service.FileNoticeAsync(Caller(http), id, ApiRequests.ToNotice(await ApiRequests.ReadAsync<NoticeBody>(http.Request)), http.RequestAborted);
                return Results.Created($"{Prefix}/notices/{notice.Id}", notice);
            })
            .WithName("fileNotice").WithSummary("File a written cancellation notice")
            .Accepts<NoticeBody>("application/json").Produces<NoticeView>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        subscriptions.MapGet("/{id:long}/licence", async (long id, HttpContext http, ApiService service) =>
            {
                try
                {
                    var file = await service.LicenceAsync(Caller(http), id, http.RequestAborted);
                    return Results.File(file.Bytes, file.ContentType, file.FileName);
                }
                catch (LicenceException e)
                {
                    // The term carries no rights (ended, or not started): there is no file to give.
                    var text = http.RequestServices.GetRequiredService<IStringLocalizer<ApiText>>();
                    return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: text["Title.Conflict"]);
                }
            })
            .WithName("getLicence").WithSummary("Download the signed licence file of the current term")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var notices = api.MapGroup("/notices").WithTags("Notices");
        notices.MapGet("/{id:long}", async (long id, HttpContext http, ApiService service) =>
                Resource(http, await service.NoticeAsync(Caller(http), id, http.RequestAborted)))
            .WithName("getNotice").WithSummary("Get a written notice")
            .Produces<NoticeView>().ProducesProblem(StatusCodes.Status404NotFound);
        notices.MapDelete("/{id:long}", async (long id, HttpContext http, ApiService service) =>
            {
                var caller = Caller(http);
                var current = await service.NoticeAsync(caller, id, http.RequestAborted);
                if (PreconditionFailed(http, current) is { } failed)
                {
                    return failed;
                }

                var withdrawn = await service.WithdrawNoticeAsync(caller, id, http.RequestAborted);
                return Resource(http, withdrawn);
            })
            .WithName("withdrawNotice").WithSummary("Withdraw a written notice before it takes effect (If-Match checked)")
            .Produces<NoticeView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        var orders = api.MapGroup("/purchase-orders").WithTags("Purchase orders");
        orders.MapGet("", async (string? cursor, int? limit, HttpContext http, ApiService service) =>
                ListAnswer(http, await service.PurchaseOrdersAsync(Caller(http), ApiRequests.After(cursor), Limit(limit), http.RequestAborted), limit))
            .WithName("listPurchaseOrders").WithSummary("List purchase orders")
            .Produces<ListPage<ApiPurchaseOrder>>().ProducesValidationProblem();
        orders.MapPost("", async (HttpContext http, ApiService service) =>
            {
                var order = await service.RegisterPurchaseOrderAsync(Caller(http), ApiRequests.ToPurchaseOrder(await ApiRequests.ReadAsync<PurchaseOrderBody>(http.Request)), http.RequestAborted);
                return Results.Created($"{Prefix}/purchase-orders?cursor={ApiRequests.Cursor(order.Id - 1)}&limit=1", order);
            })
            .WithName("registerPurchaseOrder").WithSummary("Register a purchase order")
            .Accepts<PurchaseOrderBody>("application/json").Produces<ApiPurchaseOrder>(StatusCodes.Status201Created).ProducesValidationProblem();

        var invoices = api.MapGroup("/invoices").WithTags("Invoices");
        invoices.MapGet("", async (string? cursor, int? limit, HttpContext http, ApiService service) =>
                ListAnswer(http, await service.InvoicesAsync(Caller(http), ApiRequests.After(cursor), Limit(limit), http.RequestAborted), limit))
            .WithName("listInvoices").WithSummary("List issued invoices")
            .Produces<ListPage<ApiInvoice>>().ProducesValidationProblem();
        invoices.MapGet("/{id:long}", async (long id, HttpContext http, ApiService service) =>
                WantsPdf(http)
                    ? await service.InvoicePdfAsync(Caller(http), id, http.RequestAborted) is { } pdf ? Results.File(pdf.Bytes, pdf.ContentType, pdf.FileName) : NotFound(http)
                    : await service.InvoiceAsync(Caller(http), id, http.RequestAborted) is { } invoice ? Resource(http, invoice) : NotFound(http))
            .WithName("getInvoice").WithSummary("Get an invoice as JSON, or its PDF with Accept: application/pdf")
            .Produces<ApiInvoice>().Produces(StatusCodes.Status200OK, contentType: "application/pdf").ProducesProblem(StatusCodes.Status404NotFound);

        var credits = api.MapGroup("/credit-notes").WithTags("Invoices");
        credits.MapGet("", async (string? cursor, int? limit, HttpContext http, ApiService service) =>
                ListAnswer(http, await service.CreditNotesAsync(Caller(http), ApiRequests.After(cursor), Limit(limit), http.RequestAborted), limit))
            .WithName("listCreditNotes").WithSummary("List issued credit notes")
            .Produces<ListPage<ApiInvoice>>().ProducesValidationProblem();
        credits.MapGet("/{id:long}", async (long id, HttpContext http, ApiService service) =>
                WantsPdf(http)
                    ? await service.CreditNotePdfAsync(Caller(http), id, http.RequestAborted) is { } pdf ? Results.File(pdf.Bytes, pdf.ContentType, pdf.FileName) : NotFound(http)
                    : await service.CreditNoteAsync(Caller(http), id, http.RequestAborted) is { } note ? Resource(http, note) : NotFound(http))
            .WithName("getCreditNote").WithSummary("Get a credit note as JSON, or its PDF with Accept: application/pdf")
            .Produces<ApiInvoice>().Produces(StatusCodes.Status200OK, contentType: "application/pdf").ProducesProblem(StatusCodes.Status404NotFound);

        var tasks = api.MapGroup("/advisor-tasks").WithTags("Advisor tasks");
        tasks.MapGet("", async (string? cursor, int? limit, HttpContext http, ApiService service) =>
                ListAnswer(http, await service.TasksAsync(Caller(http), ApiRequests.After(cursor), Limit(limit), http.RequestAborted), limit))
            .WithName("listAdvisorTasks").WithSummary("List renewal advisors' tasks on the accounts the key reaches")
            .Produces<ListPage<ApiTask>>().ProducesValidationProblem();
        tasks.MapGet("/{id:long}", async (long id, HttpContext http, ApiService service) =>
                await service.TaskAsync(Caller(http), id, http.RequestAborted) is { } task ? Resource(http, task) : NotFound(http))
            .WithName("getAdvisorTask").WithSummary("Get an advisor task")
            .Produces<ApiTask>().ProducesProblem(StatusCodes.Status404NotFound);

        var messages = api.MapGroup("/messages").WithTags("Messages");
        messages.MapGet("", async (string? cursor, int? limit, HttpContext http, ApiService service) =>
                ListAnswer(http, await service.MessagesAsync(Caller(http), ApiRequests.After(cursor), Limit(limit), http.RequestAborted), limit))
            .WithName("listMessages").WithSummary("List the messages written to customers and their delivery")
            .Produces<ListPage<ApiMessage>>().ProducesValidationProblem();
        messages.MapGet("/{id:long}", async (long id, HttpContext http, ApiService service) =>
                await service.MessageAsync(Caller(http), id, http.RequestAborted) is { } message ? Resource(http, message) : NotFound(http))
            .WithName("getMessage").WithSummary("Get a message and where its delivery stands")
            .Produces<ApiMessage>().ProducesProblem(StatusCodes.Status404NotFound);
        PaymentEndpoints.Map(api);
        api.MapAmendmentApi();
        return app;
    }

    private static IResult KeyDates(HttpContext http, string? start, string? term, string? notice_days, string? reminders, string? check_in_days, string? zone, string? terms,
        [Microsoft.AspNetCore.Mvc.FromServices] Core.Invoicing.Seller seller)
    {
        var startDate = ApiRequests.Date(start, "start");
        var termYears = ApiRequests.Number(term ?? throw new ApiBadRequestException("term", "Field.Required"), "term", 0);
        if (termYears is < 1 or > 3)
        {
            throw new ApiBadRequestException("term", "Field.Term");
        }

        var count = ApiRequests.Number(terms, "terms", 2);
        if (count is < 1 or > MaxTerms)
        {
            throw new ApiBadRequestException("terms", "Field.Terms", MaxTerms);
        }

        var zoneId = zone ?? seller.TimeZoneId;
        var timeZone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? throw new DomainException(DomainErrors.TimeZoneUnknown, zoneId);
        var policy = new RenewalPolicy(
            ApiRequests.Number(check_in_days, "check_in_days", RenewalPolicy.Default.CheckInDays),
            reminders is null ? RenewalPolicy.Default.ReminderDays : ApiRequests.DayList(reminders, "reminders"),
            ApiRequests.Number(notice_days, "notice_days", RenewalPolicy.Default.NoticeDays));
        var subscription = new DomainSubscription("-", startDate, termYears, timeZone);
        var culture = CultureInfo.CurrentUICulture;
        var answer = new KeyDatesAnswer(startDate, termYears, timeZone.Id, subscription.Billing, culture.TwoLetterISOLanguageName,
            [.. RenewalTimeline.ForTerms(subscription, policy, count).Select(t => new KeyDatesTerm(t.Term.Number, t.Term.Start, t.Term.End,
                [.. t.Milestones.Select(m => new KeyDate(m.Key, m.Kind, m.Date, m.FallsDueAt(timeZone), m.Title(culture), m.Describe(culture), m.RecommendedValidation))]))]);
        return Resource(http, answer);
    }

    private static Core.Access.Actor Caller(HttpContext http) => ApiKeyAuthentication.Caller(http.User).Actor;

    private static int Limit(int? limit) =>
        limit switch
        {
            null => DefaultLimit,
            >= 1 and <= ApiService.MaxLimit => limit.Value,
            _ => throw new ApiBadRequestException("limit", "Field.Limit", ApiService.MaxLimit),
        };

    /// <summary>A page with its <c>next</c> link, in the body and as a Link header.</summary>
    private static IResult ListAnswer<T>(HttpContext http, Page<T> page, int? limit)
    {
        string? next = null;
        if (page.NextAfter is { } after)
        {
            var request = http.Request;
            next = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?limit={limit ?? DefaultLimit}&cursor={ApiRequests.Cursor(after)}";
            http.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        }

        return Results.Ok(new ListPage<T>(page.Items, next));
    }

    /// <summary>One resource with its ETag; 304 when the caller already has this version.</summary>
    private static IResult Resource<T>(HttpContext http, T value)
    {
        var etag = ETagOf(http, value);
        http.Response.Headers.ETag = etag;
        return http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag))
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Ok(value);
    }

    /// <summary>A strong ETag: the SHA-256 of the resource as the API writes it.</summary>
    public static string ETagOf<T>(HttpContext http, T value)
    {
        ArgumentNullException.ThrowIfNull(http);
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(value, options));
        return $"\"{Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_')}\"";
    }

    /// <summary>If-Match, when sent, must name the current version (or be *): else 412 and nothing changes.</summary>
    private static IResult? PreconditionFailed<T>(HttpContext http, T current)
    {
        var ifMatch = http.Request.Headers.IfMatch;
        if (ifMatch.Count == 0)
        {
            return null;
        }

        var etag = ETagOf(http, current);
        var tags = ifMatch.SelectMany(v => (v ?? "").Split(',')).Select(t => t.Trim()).ToList();
        if (tags.Contains("*") || tags.Contains(etag))
        {
            return null;
        }

        var text = http.RequestServices.GetRequiredService<IStringLocalizer<ApiText>>();
        http.Response.Headers.ETag = etag;
        return Results.Problem(string.Format(CultureInfo.CurrentCulture, text["Detail.PreconditionFailed"].Value, string.Join(", ", tags), etag),
            statusCode: StatusCodes.Status412PreconditionFailed, title: text["Title.PreconditionFailed"]);
    }

    private static bool WantsPdf(HttpContext http) =>
        http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);

    private static IResult NotFound(HttpContext http)
    {
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<ApiText>>();
        return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: text["Title.NotFound"]);
    }
}
