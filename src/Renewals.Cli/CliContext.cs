using System.CommandLine;
using NodaTime;
using Renewals.Cli.Text;
using Renewals.Data;
using Spectre.Console;

namespace Renewals.Cli;

/// <summary>What every command shares: the user's language, the console, the clock and the database setting.</summary>
internal sealed class CliContext
{
    public CliContext(CliText text, IAnsiConsole console, IClock clock, Func<string, string?> environment)
    {
        Text = text;
        Console = console;
        Clock = clock;
        Environment = environment;
        DatabaseOption = new Option<string?>("--db")
        {
            Description = text.Format("Option.Db", RenewalsDatabase.EnvironmentVariable, RenewalsDatabase.DefaultSqliteFile),
            HelpName = "file|connection",
            Recursive = true,
        };
    }

    public CliText Text { get; }

    public IAnsiConsole Console { get; }

    public IClock Clock { get; }

    public Func<string, string?> Environment { get; }

    public Option<string?> DatabaseOption { get; }

    /// <summary>The seller printed on invoices and credit notes: RENEWALS_SELLER_* when set (all four), else the placeholder vendor.</summary>
    public Core.Invoicing.Seller Seller() =>
        Core.Invoicing.Seller.FromSettings(Environment, out var missing)
        ?? throw new UsageException(Text.Format("Error.SellerIncomplete", missing!, string.Join(", ", Core.Invoicing.Seller.Variables)));

    /// <summary>--db, else the RENEWALS_DB environment variable, else renewals.db in the working folder.</summary>
    public RenewalsDatabase Database(ParseResult parse) =>
        RenewalsDatabase.FromSetting(parse.GetValue(DatabaseOption) ?? Environment(RenewalsDatabase.EnvironmentVariable));
}
