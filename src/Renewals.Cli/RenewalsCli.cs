using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using NodaTime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Renewals.Cli.Commands;
using Renewals.Core.Hosting;
using Renewals.Core.Messaging;
using Renewals.Core.Engine;
using Renewals.Cli.Text;
using Renewals.Domain;
using Spectre.Console;

namespace Renewals.Cli;

/// <summary>
/// The operator's command line. Exit codes: 0 done, 1 failed while working, 2 bad input
/// (a one-line error in the chosen language; nothing was changed), 3 the database was out of
/// reach (one line; what was committed before stays, running the command again carries on).
/// </summary>
public static class RenewalsCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int Unreachable = 3;

    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, IClock? clock = null, IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var culture = Languages.Detect(args, out var rejected);
        if (culture is null)
        {
            await error.WriteLineAsync(new CliText(CultureInfo.GetCultureInfo("en")).ErrorLine(
                new CliText(CultureInfo.GetCultureInfo("en")).Format("Error.Language", rejected ?? "", string.Join(", ", Languages.Supported))));
            return BadInput;
        }

        // System.CommandLine words its own errors and help in the current UI culture.
        CultureInfo.CurrentUICulture = culture;
        var text = new CliText(culture);
        var console = CreateConsole(output);
        var context = new CliContext(text, console);
        var root = BuildRoot(context);

        var parsed = root.Parse(args);
        if (parsed.Action is HelpAction)
        {
            // Help needs no settings and no host: written by the library, then put in the reader's words.
            await using var page = new StringWriter(CultureInfo.InvariantCulture);
            await parsed.InvokeAsync(new InvocationConfiguration { Output = page, Error = error }, cancellationToken);
            await output.WriteAsync(CliHelp.Page(page.ToString(), text));
            return Ok;
        }

        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync(text.ErrorLine(CliHelp.Error(parsed, text)));
            return BadInput;
        }

        // The host is built for the parsed command: --db is one of its settings. Settings are
        // checked before any command touches the database or the outbox.
        IHost built;
        try
        {
            built = CliHost.Build(context, parsed, clock, environment, error);
        }
        catch (SettingsException bad)
        {
            await error.WriteLineAsync(text.ErrorLine(Describe(bad, text)));
            return BadInput;
        }

        using IHost host = built;
        try
        {
            host.Services.CheckRenewalsSettings();
            await host.StartAsync(cancellationToken);
        }
        catch (SettingsException bad)
        {
            await error.WriteLineAsync(text.ErrorLine(Describe(bad, text)));
            return BadInput;
        }
        catch (OptionsValidationException bad)
        {
            await error.WriteLineAsync(text.ErrorLine(bad.Message));
            return BadInput;
        }

        context.Services = host.Services;
        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (DomainException refused)
        {
            await error.WriteLineAsync(text.ErrorLine(refused.Describe(culture)));
            return BadInput;
        }
        catch (UsageException usage)
        {
            await error.WriteLineAsync(text.ErrorLine(usage.Message));
            return BadInput;
        }
        catch (EngineBusyException busy)
        {
            await error.WriteLineAsync(text.ErrorLine(text.Format("Error.EngineBusy", busy.Database)));
            return Failed;
        }
        catch (Exception outage) when (DatabaseOutage.Reason(outage) is { } reason)
        {
            // A server restarting or gone: one line, not a stack trace (and not an abort, exit 134).
            await error.WriteLineAsync(text.ErrorLine(text.Format("Error.DatabaseUnreachable", reason.ReplaceLineEndings(" ").Trim())));
            return Unreachable;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A bad setting in the user's language, named by the variable an operator sets (RENEWALS_SMTP_PORT).</summary>
    private static string Describe(SettingsException bad, CliText text) => bad.Key switch
    {
        "Renewals:Smtp:Port" => text.Format("Error.SmtpPort", SmtpSettings.PortVariable, bad.Value ?? ""),
        "Renewals:Smtp:Tls" => text.Format("Error.SmtpTls", SmtpSettings.TlsVariable, bad.Value ?? "", string.Join(", ", Enum.GetNames<SmtpTls>())),
        "Renewals:MailFrom" => text.Format("Error.MailFrom", "RENEWALS_MAIL_FROM", bad.Value ?? ""),
        "Renewals:Seller" => text.Format("Error.SellerIncomplete", bad.Value ?? "", string.Join(", ", Core.Invoicing.Seller.Variables)),
        "Renewals:Seller:TimeZone" => text.Format("Error.SellerTimeZone", Core.Invoicing.Seller.TimeZoneVariable, bad.Value ?? ""),
        CliHost.SettingsFile when bad.Line is { } line => text.Format("Error.SettingsFileJson", bad.Value ?? "", line, bad.Column ?? 1),
        CliHost.SettingsFile => text.Format("Error.SettingsFileUnreadable", bad.Value ?? "", bad.Reason ?? bad.Message),
        _ => bad.Message,
    };

    internal static RootCommand BuildRoot(CliContext context)
    {
        var text = context.Text;
        var root = new RootCommand(text["Root.Description"]);
        root.Options.Add(CommonOptions.Language(text));
        root.Options.Add(context.DatabaseOption);
        root.Subcommands.Add(TimelineCommand.Create(text, context.Console, () => context.Seller.Zone));
        root.Subcommands.Add(DbCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(RunCommand.Create(context));
        root.Subcommands.Add(SimulateCommand.Create(context));
        root.Subcommands.Add(MessagesCommand.Create(context));
        root.Subcommands.Add(PurchaseOrdersCommand.Create(context));
        root.Subcommands.Add(MeetingsCommand.Create(context));
        root.Subcommands.Add(InvoicesCommand.Create(context));
        root.Subcommands.Add(LicenceCommand.Create(context));
        root.Subcommands.Add(ProductsCommand.Create(context));
        root.Subcommands.Add(AccountsCommand.Create(context));
        root.Subcommands.Add(AccountsCommand.Contacts(context));
        root.Subcommands.Add(PartnersCommand.Create(context));
        root.Subcommands.Add(SubscriptionsCommand.Create(context));
        root.Subcommands.Add(NoticesCommand.Create(context));
        root.Subcommands.Add(TasksCommand.Create(context));
        root.Subcommands.Add(ImportCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(AdvisorsCommand.Create(context));
        root.Subcommands.Add(WebhooksCommand.Create(context));
        root.Subcommands.Add(ApiKeysCommand.Create(context));
        root.Subcommands.Add(NewsletterCommand.Create(context));
        root.Subcommands.Add(EventsCommand.Create(context));
        root.Subcommands.Add(PaymentsCommand.Create(context));
        root.Subcommands.Add(AmendmentsCommand.Create(context));
        return root;
    }

    /// <summary>A console that writes plain text when output is redirected (files, pipes, tests).</summary>
    private static IAnsiConsole CreateConsole(TextWriter output)
    {
        var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            console.Profile.Width = 160;
        }

        return console;
    }
}

/// <summary>Input the command line refuses, already worded in the user's language.</summary>
public sealed class UsageException(string message) : Exception(message);
