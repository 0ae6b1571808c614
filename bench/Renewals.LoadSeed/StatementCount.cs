using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Api;
using Renewals.Core.Hosting;
using Renewals.Core.Portal;
using Renewals.Data;

namespace Renewals.LoadSeed;

/// <summary>
/// How many SQL statements each heavy read costs (docs/performance.md, "Session 12"): the reads
/// of the advisor's book page (book page, task page, the tasks' accounts), of the customer's subscription
/// page and of one subscription in the API, each through the Core services the web host calls, over a
/// seeded database, with an interceptor counting the commands. Numbers that the
/// machine's load does not move, for a before/after pair of builds.
///
///   renewals-load-seed --count-statements --db FILE|CONNECTION [--subscription 28] [--customer 28] [--repeat 100] [--sql]
/// </summary>
internal static class StatementCount
{
    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = SeedArguments.Parse(args,
            "usage: renewals-load-seed --count-statements --db FILE|CONNECTION [--subscription 28] [--customer 28] [--repeat 100] [--sql]",
            ["--db", "--subscription", "--customer", "--repeat"], ["--count-statements", "--sql"]);
        if (parsed?.Required("--db") is not { } setting)
        {
            return 2;
        }

        var counter = new Counter { Print = parsed.Text("--sql") is not null };
        var repeat = parsed.Number("--repeat", 100);
        long subscription = parsed.Number("--subscription", 28), customer = parsed.Number("--customer", 28);

        var database = RenewalsDatabase.FromSetting(setting);
        var services = new ServiceCollection();
        // Registered before AddRenewals, whose TryAdd keeps it: every context the services get counts its commands.
        services.AddSingleton<IDbContextFactory<RenewalsDbContext>>(new CountingFactory(database, counter));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Renewals:Database"] = setting }).Build();
        services.AddRenewals(configuration);
        await using var provider = services.BuildServiceProvider();

        long advisorId;
        long middleAnchor;
        await using (var context = database.CreateContext())
        {
            advisorId = await context.Advisors.OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
            var bookSize = await context.Accounts.CountAsync(a => a.AdvisorId == advisorId);
            middleAnchor = await context.Accounts.Where(a => a.AdvisorId == advisorId).OrderBy(a => a.Name).ThenBy(a => a.Id)
                .Skip(Math.Max(0, (bookSize / PageAt.DefaultSize / 2 * PageAt.DefaultSize) - 1)).Select(a => a.Id).FirstAsync();
        }

        var advisor = new Actor.Advisor(advisorId);
        Console.WriteLine($"| read (Core services, one scope as a request has) | statements | CPU ms a read (process, {repeat} reads) | wall ms a read | methods compiled a read | KB allocated a read |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        async Task ReadAsync(string name, Func<IServiceProvider, Task> read)
        {
            // Once to warm up (the model, the first connection), then counted.
            await using (var warm = provider.CreateAsyncScope())
            {
                await read(warm.ServiceProvider);
            }

            counter.Reset();
            await using (var scope = provider.CreateAsyncScope())
            {
                await read(scope.ServiceProvider);
            }

            var commands = counter.Commands;
            // Then the process's CPU over many reads, one at a time: the reads' own cost in the host, without HTTP or rendering
            // (the first 20 more warm the JIT's later tiers).
            for (var i = 0; i < 20; i++)
            {
                await using var scope = provider.CreateAsyncScope();
                await read(scope.ServiceProvider);
            }

            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
            var allocated = GC.GetTotalAllocatedBytes();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < repeat; i++)
            {
                await using var scope = provider.CreateAsyncScope();
                await read(scope.ServiceProvider);
            }

            var used = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
            // Methods compiled and bytes allocated a read, once warm: a method compiled on every read is a delegate built per request.
            var compiled = (double)(System.Runtime.JitInfo.GetCompiledMethodCount() - jitted) / repeat;
            var bytes = (GC.GetTotalAllocatedBytes() - allocated) / repeat;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {commands} | {used.TotalMilliseconds / repeat:0.00} | {watch.Elapsed.TotalMilliseconds / repeat:0.00} | {compiled:0.0} | {bytes / 1024} |"));
        }

        async Task BookPageAsync(IServiceProvider sp, PageAt at)
        {
            var book = sp.GetRequiredService<AdvisorBookService>();
            await book.PageAsync(advisor, at);
            var tasks = await sp.GetRequiredService<AdvisorTaskService>().PageAsync(advisor, PageAt.Top);
            await book.HeldAsync(advisor, [.. tasks.Items.Where(t => t.AccountId is not null).Select(t => t.AccountId!.Value).Distinct()]);
        }

        await ReadAsync("advisor: book, first page (book page, task page, the tasks' accounts)", sp => BookPageAsync(sp, PageAt.Top));
        await ReadAsync("advisor: book, page in the middle", sp => BookPageAsync(sp, new PageAt(After: middleAnchor)));
        await ReadAsync("of which the facts of the first page's accounts (BookFacts)", async sp =>
        {
            var db = sp.GetRequiredService<RenewalsDbContext>();
            var ids = await db.Accounts.Where(a => a.AdvisorId == advisorId).OrderBy(a => a.Name).ThenBy(a => a.Id).Take(PageAt.DefaultSize).Select(a => a.Id).ToListAsync();
            counter.Reset();
            await BookFacts.ReadAsync(db, sp.GetRequiredService<NodaTime.IClock>(), advisor, ids, sp.GetRequiredService<Renewals.Core.Invoicing.Seller>());
        });
        await ReadAsync($"customer: subscription page (PortalService, subscription {subscription})",
            sp => sp.GetRequiredService<PortalService>().SubscriptionAsync(new PortalCustomer(customer), subscription));
        await ReadAsync($"API: one subscription (ApiService, administrator, subscription {subscription})",
            sp => sp.GetRequiredService<ApiService>().SubscriptionAsync(new Actor.Admin("load"), subscription, CultureInfo.GetCultureInfo("en")));
        return 0;
    }

    private sealed class CountingFactory(RenewalsDatabase database, Counter counter) : IDbContextFactory<RenewalsDbContext>
    {
        public RenewalsDbContext CreateDbContext() => database.Provider == DatabaseProvider.Sqlite
            ? new SqliteRenewalsDbContext(new DbContextOptionsBuilder<SqliteRenewalsDbContext>(RenewalsDatabase.SqliteOptions(database.ConnectionString)).AddInterceptors(counter).Options)
            : new PostgresRenewalsDbContext(new DbContextOptionsBuilder<PostgresRenewalsDbContext>(RenewalsDatabase.PostgresOptions(database.ConnectionString)).AddInterceptors(counter).Options);
    }

    /// <summary>Counts the commands run.</summary>
    private sealed class Counter : DbCommandInterceptor
    {
        public int Commands { get; private set; }

        /// <summary>Writes each command's text to stderr (--sql), to read its plan.</summary>
        public bool Print { get; set; }

        public void Reset() => Commands = 0;

        private void Count(DbCommand command)
        {
            Commands++;
            if (Print)
            {
                Console.Error.WriteLine(command.CommandText + ";\n");
            }
        }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }
    }
}
