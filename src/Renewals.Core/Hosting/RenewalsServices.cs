using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Accounts;
using Renewals.Core.Cancellations;
using Renewals.Core.Engagement;
using Renewals.Core.Engine;
using Renewals.Core.Invoicing;
using Renewals.Core.Licensing;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Core.Subscriptions;
using Renewals.Data;

namespace Renewals.Core.Hosting;

/// <summary>
/// The one composition root: every face (web, command line) calls <see cref="AddRenewals"/>
/// and gets the same services over the same settings.
/// </summary>
public static class RenewalsServices
{
    public static IServiceCollection AddRenewals(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Settings: read once, checked when the host starts (a bad one stops it with one line).
        services.AddOptions<RenewalsOptions>().Configure(o => RenewalsSettings.Bind(configuration, o)).ValidateOnStart();
        services.AddOptions<SmtpOptions>().Configure(o => RenewalsSettings.Bind(configuration, o)).ValidateOnStart();
        services.AddOptions<DemoOptions>().Configure(o => RenewalsSettings.Bind(configuration, o)).ValidateOnStart();
        services.AddOptions<EngineScheduleOptions>().Configure(o => RenewalsSettings.Bind(configuration, o)).ValidateOnStart();
        services.AddLogging();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IClock>(sp => new TimeProviderClock(sp.GetRequiredService<TimeProvider>()));

        services.TryAddSingleton(sp => RenewalsDatabase.FromSetting(sp.GetRequiredService<IOptions<RenewalsOptions>>().Value.Database));
        services.TryAddSingleton<IDbContextFactory<RenewalsDbContext>, RenewalsContextFactory>();
        services.TryAddScoped(sp => sp.GetRequiredService<IDbContextFactory<RenewalsDbContext>>().CreateDbContext());

        // Messages.
        services.TryAddSingleton(sp => TemplateLibrary.FromSetting(sp.GetRequiredService<IOptions<RenewalsOptions>>().Value.TemplatesFolder));
        services.TryAddSingleton<MessageRenderer>();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<RenewalsOptions>>().Value;
            return new DeliveryOptions { FromName = o.MailFromName, FromAddress = o.MailFromAddress, PortalUrl = o.PortalUrl, DeliveryWorkers = o.DeliveryWorkers };
        });
        services.TryAddSingleton(_ => RenewalsSettings.Seller(configuration));
        services.TryAddSingleton(sp => new MessageComposer(sp.GetRequiredService<MessageRenderer>(), sp.GetRequiredService<DeliveryOptions>(), Attachments.For(sp.GetRequiredService<Invoicing.Seller>())));
        services.TryAddSingleton<MailDelivery>();
        services.TryAddSingleton<OutboxAdmin>();

        // The engine and what it needs.
        services.TryAddSingleton(sp => new RenewalEngine(sp.GetRequiredService<RenewalsDatabase>(), sp.GetRequiredService<IClock>()));
        services.TryAddSingleton<LicenceKeyring>();
        services.TryAddSingleton<Demo.DemoBook>();
        services.TryAddSingleton<DemoSetup>();

        // Use cases: one instance per request or command, over its own context.
        services.TryAddScoped<AccountService>();
        services.TryAddScoped<SubscriptionService>();
        services.TryAddScoped<CancellationService>();
        services.TryAddScoped<PurchaseOrderService>();
        services.TryAddScoped<MeetingService>();
        services.TryAddScoped<LicenceService>();
        services.TryAddScoped<PortalService>();
        services.TryAddScoped<PortalAccountService>();
        services.TryAddScoped<PortalCancellationService>();
        services.TryAddScoped<Advisors.AdvisorBookService>();
        services.TryAddScoped<Advisors.AdvisorTaskService>();
        services.TryAddScoped<Advisors.RenewalPipelineService>();
        services.TryAddScoped<Advisors.BookPreviewService>();
        services.TryAddScoped<Partners.PartnerPortalService>();
        services.TryAddScoped<AdvisorService>();
        services.TryAddScoped<Partners.PartnerService>();
        services.TryAddScoped<Catalog.ProductService>();
        services.TryAddScoped<Tasks.TaskService>();
        services.TryAddScoped<InvoiceReissue>();
        services.TryAddScoped<Export.BookExport>();
        services.TryAddScoped<Import.BookImport>();
        services.TryAddScoped<SubscriptionQueries>();
        services.TryAddScoped<Administration.AdministrationService>();
        services.TryAddScoped<Administration.AdministrationEditService>();
        services.TryAddScoped<Administration.AuditTrailService>();
        services.TryAddScoped<Administration.OutboxSearchService>();
        services.TryAddScoped<Administration.EngineStateService>();
        services.TryAddScoped<TemplateAdminService>();
        services.TryAddScoped<Advisors.AdvisorMeetingService>();
        services.TryAddSingleton(sp => new LetterStore(
            PortalCancellationService.LettersFolderOf(sp.GetRequiredService<IOptions<RenewalsOptions>>().Value, sp.GetRequiredService<RenewalsDatabase>())));
        services.TryAddScoped<Advisors.PostedNoticeService>();

        // Webhooks (issue 12): the delivery outbox's dispatcher and the admin's endpoints.
        services.AddHttpClient(Webhooks.WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => new System.Net.Http.SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectCallback = Webhooks.WebhookNetwork.Connect(sp.GetRequiredService<Webhooks.WebhookOptions>().AllowPrivateNetworks),
            });
        services.TryAddSingleton(_ => new Webhooks.WebhookOptions { AllowPrivateNetworks = RenewalsSettings.WebhooksAllowPrivateNetworks(configuration) });
        services.TryAddSingleton<Webhooks.WebhookDispatcher>();
        services.TryAddScoped<Webhooks.WebhookAdminService>();
        services.TryAddScoped<CalendarFeeds.CalendarFeedService>();

        services.TryAddScoped<Api.ApiKeyService>();
        services.TryAddScoped<Api.IdempotencyStore>();
        services.TryAddScoped<Api.ApiService>();

        services.TryAddScoped<Engagement.CallbackService>();
        services.TryAddScoped<Feedback.FeedbackService>();
        services.TryAddScoped<Feedback.FeedbackScorecardService>();
        services.TryAddScoped<Newsletter.NewsletterConsentService>();
        services.TryAddScoped<Newsletter.NewsletterService>();
        services.TryAddScoped<Conferences.ConferenceService>();

        // Payments and collections (issue 14).
        services.AddOptions<Payments.CollectionOptions>()
            .Configure(o => configuration.GetSection(Payments.CollectionOptions.Section).Bind(o))
            .Validate(o => TryOffsets(o.ReminderDays), "Renewals:Payments:ReminderDays: whole days from 1, rising, separated by commas (7,21,45)").ValidateOnStart();
        services.TryAddScoped<Payments.PaymentService>();
        services.TryAddScoped<Payments.StatementImport>();
        services.TryAddSingleton<Payments.CollectionPass>();
        services.TryAddScoped<Amendments.AmendmentService>();
        // Running the book at an instant: the engine, then the collection pass (Engine/BookRun.cs).
        services.TryAddSingleton<BookRun>();
        return services;
    }

    private static bool TryOffsets(string text)
    {
        try
        {
            Domain.Payments.CollectionReminders.ParseOffsets(text);
            return true;
        }
        catch (Domain.DomainException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads every setting now, so a bad one stops the program with its one line before
    /// anything is opened or written (the host's own start-up check comes later).
    /// </summary>
    /// <exception cref="SettingsException">A setting cannot be used.</exception>
    public static void CheckRenewalsSettings(this IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<RenewalsOptions>>().Value;
        _ = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        _ = services.GetRequiredService<IOptions<DemoOptions>>().Value;
        _ = services.GetRequiredService<IOptions<EngineScheduleOptions>>().Value;
        _ = services.GetRequiredService<Invoicing.Seller>();
        _ = services.GetRequiredService<Webhooks.WebhookOptions>();
    }
}

/// <summary>Contexts for the configured provider: each call a new one, disposed by its caller.</summary>
internal sealed class RenewalsContextFactory(RenewalsDatabase database) : IDbContextFactory<RenewalsDbContext>
{
    public RenewalsDbContext CreateDbContext() => database.CreateContext();
}

/// <summary>The vendor's licence signing key, loaded (or made) on first use.</summary>
public sealed class LicenceKeyring(IOptions<RenewalsOptions> options, RenewalsDatabase database) : IDisposable
{
    private readonly Lazy<LicenceSigningKey> _key = new(() =>
        LicenceSigningKey.LoadOrCreate(options.Value.LicenceKey ?? LicenceSigningKey.DefaultPath(database)));

    public LicenceSigningKey Key => _key.Value;

    public void Dispose()
    {
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }
}
