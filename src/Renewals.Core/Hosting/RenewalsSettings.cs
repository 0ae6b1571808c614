using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Renewals.Core.Messaging;
using Renewals.Data;

namespace Renewals.Core.Hosting;

/// <summary>A setting that cannot be used; its message is one line naming the setting and what it should be.</summary>
public sealed class SettingsException(string message) : Exception(message)
{
    /// <summary>The configuration key at fault ("Renewals:Smtp:Port"), so a face can word the error in its user's language.</summary>
    public string? Key { get; init; }

    /// <summary>The value it was given, or for the seller the variable that is missing.</summary>
    public string? Value { get; init; }

    /// <summary>For a settings file that does not parse, where it breaks (from 1).</summary>
    public long? Line { get; init; }

    public long? Column { get; init; }

    /// <summary>For a settings file that cannot be read, why (the system's words).</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// Reads the settings. The environment variables documented in docs/operations.md
/// (RENEWALS_DB, RENEWALS_SMTP_HOST, ...) keep working: they are mapped onto the "Renewals"
/// section, above appsettings.json and below the command line.
/// </summary>
public static class RenewalsSettings
{
    /// <summary>Each documented variable and the configuration key it sets.</summary>
    public static IReadOnlyList<(string Variable, string Key)> Variables { get; } =
    [
        (RenewalsDatabase.EnvironmentVariable, "Renewals:Database"),
        (SmtpSettings.HostVariable, "Renewals:Smtp:Host"),
        (SmtpSettings.PortVariable, "Renewals:Smtp:Port"),
        (SmtpSettings.TlsVariable, "Renewals:Smtp:Tls"),
        (SmtpSettings.UserVariable, "Renewals:Smtp:User"),
        (SmtpSettings.PasswordVariable, "Renewals:Smtp:Password"),
        ("RENEWALS_MAIL_FROM", "Renewals:MailFrom"),
        ("RENEWALS_PORTAL_URL", "Renewals:PortalUrl"),
        (PickupFolderTransport.Variable, "Renewals:PickupFolder"),
        (TemplateLibrary.EnvironmentVariable, "Renewals:TemplatesFolder"),
        (Licensing.LicenceSigningKey.EnvironmentVariable, "Renewals:LicenceKey"),
        ("RENEWALS_LETTERS", "Renewals:LettersFolder"),
        ("RENEWALS_DEMO", "Renewals:Demo:Enabled"),
        ("RENEWALS_ENGINE_INTERVAL", "Renewals:Engine:IntervalMinutes"),
        (Invoicing.Seller.NameVariable, "Renewals:Seller:Name"),
        (Invoicing.Seller.AddressVariable, "Renewals:Seller:Address"),
        (Invoicing.Seller.VatNumberVariable, "Renewals:Seller:Vat"),
        (Invoicing.Seller.EmailVariable, "Renewals:Seller:Email"),
        (Webhooks.WebhookNetwork.Variable, "Renewals:Webhooks:AllowPrivateNetworks"),
        ("RENEWALS_PG_BIN", "Renewals:PostgresBin"),
        ("RENEWALS_API_REQUESTS_PER_MINUTE", "Renewals:Api:RequestsPerMinute"),
        (Invoicing.Seller.TimeZoneVariable, "Renewals:Seller:TimeZone"),
        ("RENEWALS_SIGNIN_PER_MINUTE", "Renewals:RateLimits:SignInPerMinute"),
        ("RENEWALS_DELIVERY_WORKERS", "Renewals:DeliveryWorkers"),
    ];

    /// <summary>
    /// Adds the RENEWALS_* variables, before the command line when the builder has one, so
    /// that "--Renewals:Database=..." still wins over RENEWALS_DB.
    /// </summary>
    public static IConfigurationBuilder AddRenewalsEnvironmentVariables(this IConfigurationBuilder builder, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        environment ??= Environment.GetEnvironmentVariables();
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in Variables)
        {
            if (environment[variable] is string value && value.Length > 0)
            {
                values[key] = value;
            }
        }

        var source = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = values };
        var commandLine = builder.Sources.ToList().FindIndex(s => s.GetType().Name == "CommandLineConfigurationSource");
        if (commandLine >= 0)
        {
            builder.Sources.Insert(commandLine, source);
        }
        else
        {
            builder.Sources.Add(source);
        }

        return builder;
    }

    /// <summary>The command line's short names for the common settings.</summary>
    public static IDictionary<string, string> CommandLineSwitches { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--db"] = "Renewals:Database",
        ["--templates"] = "Renewals:TemplatesFolder",
        ["--key"] = "Renewals:LicenceKey",
    };

    /// <summary>The most deliveries one dispatcher may make at once: each holds a database connection and an SMTP connection.</summary>
    public const int MaxDeliveryWorkers = 16;

    public static void Bind(IConfiguration configuration, RenewalsOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(RenewalsOptions.Section);
        options.Database = Text(section, "Database") ?? options.Database;
        options.PickupFolder = Text(section, "PickupFolder") ?? options.PickupFolder;
        options.TemplatesFolder = Text(section, "TemplatesFolder") ?? options.TemplatesFolder;
        options.LettersFolder = Text(section, "LettersFolder") ?? options.LettersFolder;
        options.LicenceKey = Text(section, "LicenceKey") ?? options.LicenceKey;
        if (Text(section, "PortalUrl") is { } portal)
        {
            if (!Uri.TryCreate(portal, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw Bad("Renewals:PortalUrl", "an http or https address such as http://localhost:5000", portal);
            }

            options.PortalUrl = portal.TrimEnd('/');
        }

        if (Text(section, "MailFrom") is { } from)
        {
            if (!MimeKit.MailboxAddress.TryParse(from, out var address) || !address.Address.Contains('@', StringComparison.Ordinal))
            {
                throw Bad("Renewals:MailFrom", "an email address such as \"Renewals <renewals@vendor.example>\"", from);
            }

            options.MailFromAddress = address.Address;
            options.MailFromName = string.IsNullOrEmpty(address.Name) ? options.MailFromName : address.Name;
        }

        options.DeliveryWorkers = Number(section, "DeliveryWorkers", RenewalsOptions.Section + ":DeliveryWorkers", 1, MaxDeliveryWorkers) ?? options.DeliveryWorkers;
        try
        {
            _ = RenewalsDatabase.FromSetting(options.Database);
        }
        catch (ArgumentException e)
        {
            throw new SettingsException($"{Name("Renewals:Database")} is not a SQLite file or a PostgreSQL connection string: {e.Message}");
        }
    }

    public static void Bind(IConfiguration configuration, SmtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(SmtpOptions.Section);
        options.Host = Text(section, "Host") ?? options.Host;
        options.User = Text(section, "User") ?? options.User;
        options.Password = Text(section, "Password") ?? options.Password;
        options.Port = Number(section, "Port", SmtpOptions.Section + ":Port", 1, 65535) ?? options.Port;
        if (Text(section, "Tls") is { } tls)
        {
            if (!Enum.TryParse<SmtpTls>(tls, ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(tls, CultureInfo.InvariantCulture, out _))
            {
                throw Bad(SmtpOptions.Section + ":Tls", "one of " + string.Join(", ", Enum.GetNames<SmtpTls>()), tls);
            }

            options.Tls = mode;
        }
    }

    public static void Bind(IConfiguration configuration, DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(DemoOptions.Section);
        if (Text(section, "Enabled") is { } enabled)
        {
            options.Enabled = bool.TryParse(enabled, out var on) ? on : throw Bad(DemoOptions.Section + ":Enabled", "true or false", enabled);
        }

        options.Subscriptions = Number(section, "Subscriptions", DemoOptions.Section + ":Subscriptions", 1, 100_000) ?? options.Subscriptions;
        options.Seed = Number(section, "Seed", DemoOptions.Section + ":Seed", 0, int.MaxValue) ?? options.Seed;
        options.HistoryDays = Number(section, "HistoryDays", DemoOptions.Section + ":HistoryDays", 0, 3660) ?? options.HistoryDays;
    }

    public static void Bind(IConfiguration configuration, EngineScheduleOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(EngineScheduleOptions.Section);
        options.IntervalMinutes = Number(section, "IntervalMinutes", EngineScheduleOptions.Section + ":IntervalMinutes", 1, 24 * 60) ?? options.IntervalMinutes;
        options.DispatchSeconds = Number(section, "DispatchSeconds", EngineScheduleOptions.Section + ":DispatchSeconds", 1, 3600) ?? options.DispatchSeconds;
    }

    /// <summary>Whether webhook receivers may be on loopback or a private network: false unless set to true.</summary>
    public static bool WebhooksAllowPrivateNetworks(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        const string key = "Renewals:Webhooks:AllowPrivateNetworks";
        var section = configuration.GetSection("Renewals:Webhooks");
        return Text(section, "AllowPrivateNetworks") is not { } text ? false
            : bool.TryParse(text, out var allowed) ? allowed : throw Bad(key, "true or false", text);
    }

    /// <summary>
    /// Requests a minute each API key may send, when set (the web host keeps its default otherwise):
    /// a load measure raises it so the limit does not answer in the product's place.
    /// </summary>
    public static int? ApiRequestsPerMinute(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Number(configuration.GetSection("Renewals:Api"), "RequestsPerMinute", "Renewals:Api:RequestsPerMinute", 1, int.MaxValue);
    }

    /// <summary>Sign-in tries a minute from one address; null when not set (the web's default). A test host raises it, never a public one.</summary>
    public static int? SignInPerMinute(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Number(configuration.GetSection("Renewals:RateLimits"), "SignInPerMinute", "Renewals:RateLimits:SignInPerMinute", 1, int.MaxValue);
    }

    private static string? Text(IConfigurationSection section, string key) =>
        section[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int? Number(IConfigurationSection section, string key, string fullKey, int min, int max)
    {
        if (Text(section, key) is not { } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw Bad(fullKey, $"a whole number from {min} to {max}", text);
    }

    /// <summary>"RENEWALS_SMTP_PORT (Renewals:Smtp:Port)": the name the operator most likely used, and the key.</summary>
    private static string Name(string key) =>
        Variables.FirstOrDefault(v => v.Key == key).Variable is { } variable ? $"{variable} ({key})" : key;

    private static SettingsException Bad(string key, string expected, string value) =>
        new($"{Name(key)} must be {expected}, not '{value}'.") { Key = key, Value = value };

    /// <summary>
    /// The vendor printed on invoices and credit notes: all four seller settings, or none for
    /// the placeholder vendor (an invoice without the seller's address or VAT number is refused).
    /// </summary>
    public static Invoicing.Seller Seller(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var seller = Invoicing.Seller.FromSettings(
            variable => configuration[Variables.First(v => v.Variable == variable).Key], out var missing);
        if (seller is null)
        {
            throw new SettingsException(
                $"the seller's settings are incomplete: {missing} is not set (invoices need all of {string.Join(", ", Invoicing.Seller.Variables)}, or none for the placeholder vendor).")
            {
                Key = "Renewals:Seller",
                Value = missing,
            };
        }

        const string zoneKey = "Renewals:Seller:TimeZone";
        if (configuration[zoneKey]?.Trim() is not { Length: > 0 } zone)
        {
            return seller;
        }

        return NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) is null
            ? throw Bad(zoneKey, "a time zone's IANA id such as Europe/Paris or America/Toronto", zone)
            : seller with { TimeZoneId = zone };
    }
}
