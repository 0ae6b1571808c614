using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NodaTime;
using Scalar.AspNetCore;

namespace Renewals.Web.Api;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: the /api/v1 endpoints only, their Bearer key, and
/// NodaTime's dates written as the strings the API sends.
/// </summary>
public static class ApiOpenApi
{
    public const string BearerScheme = "apiKey";

    private static readonly Dictionary<Type, (string Format, string Example)> Dates = new()
    {
        [typeof(LocalDate)] = ("date", "2027-01-15"),
        [typeof(LocalDate?)] = ("date", "2027-01-15"),
        [typeof(Instant)] = ("date-time", "2027-01-15T08:30:00Z"),
        [typeof(Instant?)] = ("date-time", "2027-01-15T08:30:00Z"),
    };

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Key dates"] = "The key dates of a contract that is not stored, as the timeline command computes them.",
        ["Accounts"] = "Customer accounts and their contacts.",
        ["Subscriptions"] = "Subscriptions: sell one (its key dates are planned), read its story and timeline, file a written notice, download its licence.",
        ["Notices"] = "Written cancellation notices: read one, withdraw it before it takes effect.",
        ["Purchase orders"] = "Purchase orders that invoices carry.",
        ["Invoices"] = "Issued invoices and credit notes, as JSON or PDF.",
        ["Advisor tasks"] = "What renewal advisors have to do on the accounts the key reaches.",
        ["Messages"] = "Letters and emails written to customers, and where their delivery stands.",
        ["Payments"] = "Payments received, allocated to the invoices they pay (administrator keys only).",
        ["Amendments"] = "What a subscription's coming term will hold (products, quantities, prices, discounts): proposed with a reason, then confirmed with the customer's signed order, on or before the current term's cancellation deadline.",
    };

    public static IServiceCollection AddRenewalsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Renewals API",
                    Version = "v1",
                    Description = "Accounts, subscriptions and their key dates, written notices, purchase orders, invoices and licences. "
                        + "Send an API key as Authorization: Bearer <key>. Errors are RFC 9457 problem details in the language of Accept-Language (en, fr). "
                        + "Lists are paged with an opaque cursor (follow next). Every POST accepts an Idempotency-Key.",
                    License = new OpenApiLicense { Name = "Proprietary", Url = new Uri("https://example.com/renewals/licence") },
                };
                // "http://host/" + "/api/v1/..." would read as a double slash to clients that join them.
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }

                foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                {
                    tag.Description = TagDescriptions.GetValueOrDefault(tag.Name ?? "");
                }

                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key made by an administrator (renewals apikeys add, or /admin/api-keys).",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (Dates.TryGetValue(context.JsonTypeInfo.Type, out var date))
                {
                    schema.Type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
                    schema.Format = date.Format;
                    schema.Properties?.Clear();
                    schema.Required?.Clear();
                }

                return Task.CompletedTask;
            });
        });

    /// <summary>The reference page's own policy: Scalar runs an inline start-up script and inline styles.</summary>
    public const string ReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>/openapi/v1.json and the interactive reference at /scalar (both public: they describe, they serve no data).</summary>
    public static IEndpointRouteBuilder MapRenewalsApiReference(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        // No fonts from Scalar's servers: the policy allows this site only, and a reader's visit
        // is nobody else's business.
        app.MapScalarApiReference(o => o.WithTitle("Renewals API").DisableDefaultFonts())
            .AddEndpointFilter((context, next) =>
            {
                context.HttpContext.Response.Headers.ContentSecurityPolicy = ReferencePolicy;
                return next(context);
            });
        return app;
    }
}
