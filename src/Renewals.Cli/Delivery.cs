using System.Globalization;
using Renewals.Cli.Text;
using Renewals.Core.Messaging;
using Renewals.Data;
using Spectre.Console;

namespace Renewals.Cli;

/// <summary>
/// How this command line delivers messages, from configuration: SMTP when RENEWALS_SMTP_HOST
/// is set (port, TLS mode, user and password beside it), otherwise .eml files in a pickup
/// folder (RENEWALS_PICKUP, default "pickup" beside the SQLite file or in the working folder).
/// Templates come from RENEWALS_TEMPLATES, or the ones shipped with the program.
/// </summary>
internal static class Delivery
{
    public const string FromVariable = "RENEWALS_MAIL_FROM";
    public const string PortalVariable = "RENEWALS_PORTAL_URL";

    public static IMailTransport Transport(CliContext context, RenewalsDatabase database)
    {
        var env = context.Environment;
        if (env(SmtpSettings.HostVariable) is { Length: > 0 } host)
        {
            var port = 25;
            if (env(SmtpSettings.PortVariable) is { Length: > 0 } portText
                && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            {
                throw new UsageException(context.Text.Format("Error.SmtpPort", SmtpSettings.PortVariable, portText));
            }

            var tls = SmtpTls.Auto;
            if (env(SmtpSettings.TlsVariable) is { Length: > 0 } tlsText && !Enum.TryParse(tlsText, ignoreCase: true, out tls))
            {
                throw new UsageException(context.Text.Format("Error.SmtpTls", SmtpSettings.TlsVariable, tlsText, string.Join(", ", Enum.GetNames<SmtpTls>())));
            }

            return new SmtpTransport(new SmtpSettings(host, port, tls, env(SmtpSettings.UserVariable), env(SmtpSettings.PasswordVariable)));
        }

        return new PickupFolderTransport(PickupFolder(context, database));
    }

    public static string PickupFolder(CliContext context, RenewalsDatabase database) =>
        context.Environment(PickupFolderTransport.Variable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(database.SqliteFile is { } file ? Path.GetDirectoryName(Path.GetFullPath(file))! : Directory.GetCurrentDirectory(), "pickup");

    public static TemplateLibrary Templates(CliContext context, string? option = null) =>
        TemplateLibrary.FromSetting(option ?? context.Environment(TemplateLibrary.EnvironmentVariable));

    public static DeliveryOptions Options(CliContext context)
    {
        var options = new DeliveryOptions();
        if (context.Environment(FromVariable) is { Length: > 0 } from)
        {
            if (!MimeKit.MailboxAddress.TryParse(from, out var address))
            {
                throw new UsageException(context.Text.Format("Error.MailFrom", FromVariable, from));
            }

            options = options with { FromAddress = address.Address, FromName = string.IsNullOrEmpty(address.Name) ? options.FromName : address.Name };
        }

        if (context.Environment(PortalVariable) is { Length: > 0 } portal)
        {
            options = options with { PortalUrl = portal };
        }

        return options;
    }

    /// <summary>Sends what is due at <paramref name="now"/> and prints one line about it.</summary>
    public static async Task<DispatchResult> DispatchAsync(CliContext context, RenewalsDatabase database, NodaTime.Instant now, CancellationToken ct)
    {
        await using var transport = Transport(context, database);
        var result = await Dispatcher(context, database, transport).DispatchAsync(now, ct);
        Report(context, result, transport);
        return result;
    }

    /// <summary>A dispatcher over <paramref name="transport"/>, for a command that delivers several times (one simulated day after another).</summary>
    public static OutboxDispatcher Dispatcher(CliContext context, RenewalsDatabase database, IMailTransport transport) =>
        new(database, new MessageComposer(new MessageRenderer(Templates(context)), Options(context), Core.Messaging.Attachments.For(context.Seller())), transport);

    /// <summary>The one line about what a dispatch did.</summary>
    public static void Report(CliContext context, DispatchResult result, IMailTransport transport)
    {
        context.Console.WriteLine(context.Text.Format("Messages.Dispatched", result.Sent, result.Retrying, result.DeadLettered, transport.Describe()));
        if (result.Discarded > 0)
        {
            context.Console.WriteLine(context.Text.Format("Messages.Discarded", result.Discarded));
        }
    }
}
