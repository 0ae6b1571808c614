using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;
using Renewals.Core.Hosting;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Web.Api;
using Renewals.Web.Components;
using Renewals.Web.Endpoints;
using Renewals.Web.Hosting;

namespace Renewals.Web;

/// <summary>The web host: built here so the program and the tests start the same application.</summary>
public static class RenewalsWeb
{
    public static readonly CultureInfo[] Cultures = [CultureInfo.GetCultureInfo("en"), CultureInfo.GetCultureInfo("fr")];

    /// <summary>The sign-in form's rate-limit policy: a few tries a minute from one address (RENEWALS_SIGNIN_PER_MINUTE changes it).</summary>
    public const int SignInAttemptsPerMinute = 10;

    /// <summary>The public callback form's rate-limit policy: requests from one address in ten minutes.</summary>
    public const int CallbackRequestsPerWindow = 5;

    /// <summary>Posts to the forms reached by an emailed link (the survey, the unsubscribe page and its one-click POST), per address and 10 minutes.</summary>
    public const int LinkFormPostsPerWindow = 60;

    public static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder;
        try
        {
            builder = WebApplication.CreateBuilder(args);
        }
        catch (InvalidDataException unreadable) when (SettingsFile.Unreadable(unreadable) is { } bad)
        {
            // appsettings.json (or appsettings.{environment}.json) is not JSON: a bad setting, one line.
            throw bad;
        }

        builder.Configuration.AddRenewalsEnvironmentVariables();
        builder.Configuration.AddCommandLine(args, RenewalsSettings.CommandLineSwitches);
        // The built output has the static assets' manifest even outside Development (tests run the built app).
        builder.WebHost.UseStaticWebAssets();

        var services = builder.Services;
        services.AddRenewals(builder.Configuration);
        services.AddRazorComponents();
        services.AddLocalization();
        // Pages keep their accented letters as they are instead of numeric entities.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddHttpContextAccessor();

        services.AddIdentityCore<WebUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<WebRole>()
            .AddEntityFrameworkStores<RenewalsDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<WebUserClaims>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<InvitationTokenProvider>(InvitationTokenProvider.ProviderName);
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = WebAccessService.ResetTokenLifespan);
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies(cookies =>
            cookies.ApplicationCookie?.Configure(o =>
            {
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/signin";
                o.Cookie.Name = "renewals.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                // A signed-in wrong role is told the page does not exist (issue 13), as the pages themselves tell it.
                o.Events.OnRedirectToAccessDenied = StaffAreas.AnswerNotFound;
            }));
        services.AddAuthorization();
        // Keys in the database: every instance (PostgreSQL, several hosts) reads the same cookies and tokens.
        services.AddDataProtection().SetApplicationName("Renewals").PersistKeysToDbContext<RenewalsDbContext>();
        services.AddAntiforgery(o => o.Cookie.Name = "renewals.antiforgery");
        var signInPerMinute = RenewalsSettings.SignInPerMinute(builder.Configuration) ?? SignInAttemptsPerMinute;
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per form (sign-in, forgotten password) and address: asking for a reset link does not use up sign-in tries.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                HttpMethods.IsPost(http.Request.Method) && http.Request.Path.StartsWithSegments("/signin")
                    ? RateLimitPartition.GetFixedWindowLimiter(FormOf(http) + "|" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = signInPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    })
                    : HttpMethods.IsPost(http.Request.Method) && IsPublicCallback(http)
                        // The public callback form, per address: a few honest requests pass, a flood does not.
                        ? RateLimitPartition.GetFixedWindowLimiter("callback|" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ => new FixedWindowRateLimiterOptions
                        {
                            PermitLimit = CallbackRequestsPerWindow,
                            Window = TimeSpan.FromMinutes(10),
                            QueueLimit = 0,
                        })
                        : HttpMethods.IsPost(http.Request.Method) && IsLinkForm(http)
                            // The token in the link guards each form; the limit keeps anyone from trying tokens by the thousand.
                            ? RateLimitPartition.GetFixedWindowLimiter("link-forms|" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ => new FixedWindowRateLimiterOptions
                            {
                                PermitLimit = LinkFormPostsPerWindow,
                                Window = TimeSpan.FromMinutes(10),
                                QueueLimit = 0,
                            })
                            : RateLimitPartition.GetNoLimiter("other"));
            o.OnRejected = (context, ct) =>
                IsPublicCallback(context.HttpContext) ? CallbackRefusal.WriteAsync(context.HttpContext, ct)
                : IsLinkForm(context.HttpContext) ? CallbackRefusal.WriteAsync(context.HttpContext, ct, backToForm: false)
                : ValueTask.CompletedTask;
        });

        // The API's limit per key, chained after the limits above (issue 13).
        var apiRequestsPerMinute = RenewalsSettings.ApiRequestsPerMinute(builder.Configuration) ?? ApiRateLimit.DefaultRequestsPerMinute;
        services.Configure<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>(o => ApiRateLimit.Add(o, apiRequestsPerMinute));

        services.AddHostedService<EngineWorker>();
        services.AddHostedService<DispatchWorker>();
        services.AddHostedService<WebhookWorker>();
        services.AddHostedService<NewsletterWorker>();
        services.AddScoped<DemoSignIns>();
        services.AddScoped<WebAccessService>();
        services.AddScoped<Components.Admin.AdminUserService>();
        services.AddRenewalsApi();
        services.AddScoped<CallbackFormStamp>();

        var app = builder.Build();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseMiddleware<SecurityHeaders>();
        // A 404 without a body (a download that is not this customer's) shows the same page as any other.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRequestLocalization(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            // The user's choice (a cookie written at sign-in and by the switch), else the browser's language;
            // an emailed link names its reader's language (?culture=fr) before they are signed in.
            o.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        // A form the framework cannot read (a null character) gets a page in the user's language, not a bare 400.
        app.UseMiddleware<UnreadableForms>();
        app.UseAntiforgery();
        app.UseRenewalsApi();

        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapPortalEndpoints();
        app.MapAdminEndpoints();
        app.MapInvitationEndpoints();
        app.MapCalendarFeedEndpoints();
        app.MapNewsletterEndpoints();
        app.MapRenewalsApi();
        app.MapRenewalsApiReference();
        app.MapRazorComponents<App>().RequireStaffRoles();
        return app;
    }

    /// <summary>The form a post goes to, whatever its case or trailing slash (which would otherwise open fresh windows).</summary>
    private static bool IsPublicCallback(HttpContext http) => string.Equals((http.Request.Path.Value ?? "").TrimEnd('/'), "/callback", StringComparison.OrdinalIgnoreCase);

    private static bool IsLinkForm(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/feedback") || http.Request.Path.StartsWithSegments("/newsletter/unsubscribe");

    private static string FormOf(HttpContext http) => (http.Request.Path.Value ?? "").TrimEnd('/').ToUpperInvariant();

    /// <summary>Before serving: the schema, and in demo mode the demo book and sign-ins, printed for the person who started it.</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.CheckRenewalsSettings();
        await app.Services.GetRequiredService<DemoSetup>().PrepareAsync(ct);
        if (app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DemoSignIns>().EnsureAsync(ct);
        }
    }
}
