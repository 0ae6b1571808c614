using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Text;
using Renewals.Core.Messaging;
using Renewals.Data.Model;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals messages preview|check|send|list|retry</c>: the outbox and its templates.
/// </summary>
internal static class MessagesCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var templates = new Option<string?>("--templates") { Description = text.Format("Messages.Templates", TemplateLibrary.EnvironmentVariable), HelpName = "folder" };

        var kind = new Argument<string>("kind") { Description = text.Format("Messages.Preview.Kind", string.Join(", ", TemplateLibrary.Kinds)) };
        var part = new Option<string>("--part") { Description = text["Messages.Preview.Part"], DefaultValueFactory = _ => "text", HelpName = "text|html" };
        part.AcceptOnlyFromAmong("text", "html");
        var preview = new Command("preview", text["Messages.Preview.Description"]) { kind, part, templates };
        preview.SetAction(async (parse, _) =>
        {
            var name = parse.GetValue(kind)!;
            if (!TemplateLibrary.Kinds.Contains(name))
            {
                throw new UsageException(text.Format("Error.MessageKind", name, string.Join(", ", TemplateLibrary.Kinds)));
            }

            var language = text.Culture.TwoLetterISOLanguageName;
            var rendered = await Render(Templates(context, parse.GetValue(templates)), name, language, context);
            // Raw text, not through the console's line wrapping: the message as it will be sent.
            var output = context.Console.Profile.Out.Writer;
            await output.WriteLineAsync(text.Format("Messages.Preview.Subject", rendered.Subject));
            await output.WriteLineAsync();
            await output.WriteLineAsync(parse.GetValue(part) == "html" ? rendered.Html : rendered.Text);
            return RenewalsCli.Ok;
        });

        var check = new Command("check", text["Messages.Check.Description"]) { templates };
        check.SetAction(parse =>
        {
            var library = Templates(context, parse.GetValue(templates));
            var errors = library.Check();
            foreach (var error in errors)
            {
                context.Console.WriteLine(error.Message);
            }

            context.Console.WriteLine(errors.Count == 0
                ? text.Format("Messages.Check.Ok", library.Directory)
                : text.Format("Messages.Check.Broken", errors.Count, library.Directory));
            return errors.Count == 0 ? RenewalsCli.Ok : RenewalsCli.Failed;
        });

        var send = new Command("send", text["Messages.Send.Description"]);
        send.SetAction(async (parse, ct) =>
        {
            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            await DispatchAsync(context, ct);
            return RenewalsCli.Ok;
        });

        var status = new Option<string?>("--status") { Description = text["Messages.List.Status"], HelpName = "pending|sent|dead|discarded" };
        status.AcceptOnlyFromAmong("pending", "sent", "dead", "discarded");
        var limit = CommonOptions.Number("--limit", text["Messages.List.Limit"], text, 50);
        var list = new Command("list", text["Messages.List.Description"]) { status, limit };
        list.SetAction(async (parse, ct) =>
        {
            var size = parse.GetValue(limit);
            if (size is < 1 or > 10_000)
            {
                throw new UsageException(text.Format("Error.Range", "--limit", 1, 10_000, size));
            }

            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            var wanted = parse.GetValue(status) switch
            {
                "pending" => OutboxStatus.Pending,
                "sent" => OutboxStatus.Sent,
                "dead" => OutboxStatus.DeadLettered,
                "discarded" => OutboxStatus.Discarded,
                _ => (OutboxStatus?)null,
            };
            var messages = await context.Services.GetRequiredService<OutboxAdmin>().ListAsync(wanted, size, ct);
            var table = new Table().AddColumns(
                text["Messages.Column.Id"], text["Messages.Column.Kind"], text["Messages.Column.To"], text["Messages.Column.Status"],
                text["Messages.Column.Attempts"], text["Messages.Column.Next"], text["Messages.Column.Error"]);
            foreach (var m in messages)
            {
                table.AddRow(
                    m.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(m.Template), Markup.Escape(m.ToEmail),
                    Markup.Escape(text[$"Messages.Status.{m.Status}"]), m.Attempts.ToString(CultureInfo.InvariantCulture),
                    m.Status == OutboxStatus.Pending ? InstantPattern.General.Format(m.NextAttemptAt) : "",
                    Markup.Escape(m.LastError ?? ""));
            }

            context.Console.Write(table);
            return RenewalsCli.Ok;
        });

        var ids = new Argument<long[]>("ids") { Description = text["Messages.Retry.Ids"], Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = text["Messages.Retry.All"] };
        var retry = new Command("retry", text["Messages.Retry.Description"]) { ids, all };
        retry.SetAction(async (parse, ct) =>
        {
            var chosen = parse.GetValue(ids) ?? [];
            if (chosen.Length == 0 == !parse.GetValue(all))
            {
                throw new UsageException(text["Error.RetryWhich"]);
            }

            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            try
            {
                var retried = await context.Services.GetRequiredService<OutboxAdmin>().RetryAsync(chosen, "operator", ct);
                context.Console.WriteLine(text.Format("Messages.Retried", retried.Count));
            }
            catch (NotDeadLetteredException refused)
            {
                throw new UsageException(text.Format("Error.NotDeadLettered", string.Join(", ", refused.Ids)));
            }

            return RenewalsCli.Ok;
        });

        return new Command("messages", text["Messages.Description"]) { preview, check, send, list, retry };
    }

    /// <summary>--templates when given, else the configured templates (RENEWALS_TEMPLATES), else the shipped ones.</summary>
    private static TemplateLibrary Templates(CliContext context, string? option) =>
        option is null ? context.Services.GetRequiredService<TemplateLibrary>() : TemplateLibrary.FromSetting(option);

    /// <summary>Sends what is due by the command's clock and prints one line about it.</summary>
    public static async Task<DispatchResult> DispatchAsync(CliContext context, CancellationToken ct) =>
        (await DispatchQuietlyAsync(context, ct, report: true)).Result;

    /// <summary>Sends what is due; the line about it is printed only when <paramref name="report"/> (JSON output prints its own).</summary>
    public static async Task<(DispatchResult Result, string Transport)> DispatchQuietlyAsync(CliContext context, CancellationToken ct, bool report = false)
    {
        await using var transport = context.Delivery.CreateTransport();
        // What is due by a fresh reading of the command's clock (standing at run --as-of's instant
        // when given), which stamps each delivery too.
        var result = await context.Delivery.Dispatcher(transport).DispatchAsync(context.Clock.GetCurrentInstant(), ct);
        if (report)
        {
            Report(context, result, transport);
        }

        return (result, transport.Describe());
    }

    /// <summary>The one line about what a dispatch did.</summary>
    public static void Report(CliContext context, DispatchResult result, IMailTransport transport)
    {
        context.Console.WriteLine(context.Text.Format("Messages.Dispatched", result.Sent, result.Retrying, result.DeadLettered, transport.Describe()));
        if (result.Discarded > 0)
        {
            context.Console.WriteLine(context.Text.Format("Messages.Discarded", result.Discarded));
        }
    }

    private static async Task<RenderedMessage> Render(TemplateLibrary library, string kind, string language, CliContext context)
    {
        try
        {
            return await new MessageRenderer(library).RenderAsync(kind, language, MessageSamples.Model(kind, language, context.Options.PortalUrl));
        }
        catch (TemplateException broken)
        {
            throw new UsageException(broken.Message);
        }
    }
}
