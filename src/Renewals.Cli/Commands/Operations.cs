using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using NodaTime.Text;
using Renewals.Cli.Text;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// What the operation commands (products, accounts, contacts, partners, subscriptions,
/// notices, tasks) share: the --format option and its JSON, the database, money and choices.
/// </summary>
internal static class Operations
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    public static Option<string> Format(CliText text)
    {
        var format = new Option<string>("--format") { Description = text["Option.Format"], DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    /// <summary>Prints the result as one JSON document when asked to, and says whether it did.</summary>
    public static bool WroteJson(ParseResult parse, Option<string> format, object value)
    {
        if (parse.GetValue(format) != "json")
        {
            return false;
        }

        parse.InvocationConfiguration.Output.WriteLine(ToJson(value));
        return true;
    }

    /// <summary>A value as the commands' JSON output writes it (camelCase, kebab-case enums, ISO dates).</summary>
    public static string ToJson(object value) => JsonSerializer.Serialize(value, Json);

    /// <summary>A Core service from the host, over its own context, once the database is known to be set up.</summary>
    public static async Task<T> WithAsync<TService, T>(CliContext context, Func<TService, Task<T>> use, CancellationToken ct)
        where TService : notnull
    {
        await EngineDays.RequireMigratedAsync(context.Database, context.Text, ct);
        return await context.UseAsync(use);
    }

    /// <summary>Several Core services of one scope (one shared context), once the database is known to be set up.</summary>
    public static async Task<T> WithScopeAsync<T>(CliContext context, Func<IServiceProvider, Task<T>> use, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(use);
        await EngineDays.RequireMigratedAsync(context.Database, context.Text, ct);
        await using var scope = context.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider);
    }

    /// <summary>Who the audit trail names: the operator at the command line.</summary>
    public static string Actor() => $"cli:{Environment.UserName}";

    public static void Say(CliContext context, string line) => context.Console.MarkupLine(Markup.Escape(line));

    public static void Write(CliContext context, Table table) => context.Console.Write(table);

    public static Table Table(CliText text, params string[] columnKeys)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var key in columnKeys)
        {
            table.AddColumn(new TableColumn(Markup.Escape(text[key])));
        }

        return table;
    }

    public static void Row(Table table, params string?[] cells) => table.AddRow([.. cells.Select(c => Markup.Escape(c ?? ""))]);

    public static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);

    public static string Iso(LocalDate? date) => date is { } d ? Iso(d) : "";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string YesNo(bool value, CliText text) => text[value ? "Ops.Yes" : "Ops.No"];

    /// <summary>An amount written with a decimal point, such as 1234.50.</summary>
    public static Option<decimal?> Amount(string name, string description, CliText text) => new(name)
    {
        Description = description,
        HelpName = "1234.50",
        CustomParser = result =>
        {
            var token = Token(result);
            if (decimal.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            result.AddError(text.Format("Error.Amount", name, token));
            return null;
        },
    };

    /// <summary>One word among a few, refused in the user's language otherwise.</summary>
    public static Option<string> Choice(string name, string description, CliText text, string defaultValue, params string[] values) => new(name)
    {
        Description = description,
        HelpName = string.Join("|", values),
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var token = Token(result);
            if (values.Contains(token, StringComparer.Ordinal))
            {
                return token;
            }

            result.AddError(text.Format("Ops.Error.Choice", name, token, string.Join(", ", values)));
            return defaultValue;
        },
    };

    /// <summary>The id of a stored row given as an argument (a whole number above zero).</summary>
    public static Argument<long> IdArgument(string name, string description, CliText text) => new(name)
    {
        Description = description,
        HelpName = "id",
        CustomParser = result =>
        {
            var token = Token(result);
            if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                return id;
            }

            result.AddError(text.Format("Error.Number", name.ToUpperInvariant(), token));
            return 0;
        },
    };

    public static Option<string> TextOption(string name, string description, string helpName = "text") =>
        new(name) { Description = description, HelpName = helpName };

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
}
