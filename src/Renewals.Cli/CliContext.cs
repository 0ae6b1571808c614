using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Cli.Text;
using Renewals.Core.Hosting;
using Renewals.Data;
using Spectre.Console;

namespace Renewals.Cli;

/// <summary>
/// What every command shares: the user's language and the console, known before the command
/// line is read, and the services of the host built for the command once it is read
/// (<c>AddRenewals</c>: the same wiring as the web's).
/// </summary>
internal sealed class CliContext
{
    private IServiceProvider? _services;

    public CliContext(CliText text, IAnsiConsole console)
    {
        Text = text;
        Console = console;
        DatabaseOption = new Option<string?>("--db")
        {
            Description = text.Format("Option.Db", RenewalsDatabase.EnvironmentVariable, RenewalsDatabase.DefaultSqliteFile),
            HelpName = "file|connection",
            Recursive = true,
        };
    }

    public CliText Text { get; }

    public IAnsiConsole Console { get; }

    public Option<string?> DatabaseOption { get; }

    /// <summary>The host's services; set once the command line is parsed, before any command runs.</summary>
    public IServiceProvider Services
    {
        get => _services ?? throw new InvalidOperationException("The host is built once the command line is parsed.");
        set => _services = value;
    }

    /// <summary>The host's one clock, which every service of the command reads too.</summary>
    public IClock Clock => Services.GetRequiredService<IClock>();

    /// <summary>Makes the command's clock (<see cref="Clock"/>, the host's IClock) stand at <paramref name="instant"/> for the rest of the command.</summary>
    public void StandClockAt(Instant instant) => Services.GetRequiredService<CommandClock>().StandAt(instant);

    /// <summary>--db, else RENEWALS_DB (or Renewals:Database), else renewals.db in the working folder.</summary>
    public RenewalsDatabase Database => Services.GetRequiredService<RenewalsDatabase>();

    public RenewalsOptions Options => Services.GetRequiredService<IOptions<RenewalsOptions>>().Value;

    /// <summary>The seller printed on invoices and credit notes: RENEWALS_SELLER_* when set (all four), else the placeholder vendor.</summary>
    public Core.Invoicing.Seller Seller => Services.GetRequiredService<Core.Invoicing.Seller>();

    public MailDelivery Delivery => Services.GetRequiredService<MailDelivery>();

    /// <summary>A new context from the host's factory; its caller disposes it.</summary>
    public Task<RenewalsDbContext> NewDbContextAsync(CancellationToken ct) =>
        Services.GetRequiredService<IDbContextFactory<RenewalsDbContext>>().CreateDbContextAsync(ct);

    /// <summary>A Core service resolved for one use, with its own database context, disposed after it.</summary>
    public async Task<T> UseAsync<TService, T>(Func<TService, Task<T>> use)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(use);
        await using var scope = Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
