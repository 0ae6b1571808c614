using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Api;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Data;

// The book the load measure reads (bench/load/run.sh): N subscriptions written by the bulk
// planner as they stood a few days ago, the engine run day by day up to now (so invoices,
// tasks and messages exist as they would in a running system), the first advisor's book cut
// down to a realistic size (the web host's demo sign-in "advisor@example.com" is that advisor),
// the seeding days' messages recorded as sent (not delivered: see below), and an administrator's
// API key, printed on the last line as "api-key=...".
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Contains("--profile-book"))
{
    return await Renewals.LoadSeed.BookProfile.RunAsync(args);
}

if (args.Contains("--count-statements"))
{
    return await Renewals.LoadSeed.StatementCount.RunAsync(args);
}

var parsed = Renewals.LoadSeed.SeedArguments.Parse(args, "usage: renewals-load-seed --db FILE|CONNECTION [--n 1000000] [--history-days 3] [--book 400]",
    ["--db", "--n", "--history-days", "--book"]);
if (parsed?.Required("--db") is not { } db)
{
    return 2;
}

var n = parsed.Number("--n", 1_000_000);
var historyDays = parsed.Number("--history-days", 3);
var bookSize = parsed.Number("--book", 400);

var database = RenewalsDatabase.FromSetting(db);
await database.MigrateAsync();
await using (var check = database.CreateContext())
{
    if (await check.Subscriptions.AnyAsync())
    {
        Console.Error.WriteLine("renewals-load-seed: the database already holds subscriptions; give it an empty one");
        return 2;
    }
}

// The seeder is a tool run by hand, not product logic: the wall clock is what "now" means here.
var now = Instant.FromDateTimeOffset(DateTimeOffset.UtcNow);
var today = now.InUtc().Date;
var first = today.PlusDays(-historyDays);
var clock = new SettableClock(EndOf(first.PlusDays(-1)));
var watch = Stopwatch.StartNew();
var book = await new DemoBook(database, clock).GenerateAsync(n, 2027,
    new Progress<int>(done => { if (done % 100_000 == 0) { Log($"planned {done:N0}"); } }));
Log($"book: {book.Subscriptions:N0} subscriptions, {book.Rows:N0} rows in {watch.Elapsed.TotalSeconds:N0} s");

var engine = new RenewalEngine(database, clock, new EngineOptions { Actor = "load-seed" });
for (var day = first; day <= today; day = day.PlusDays(1))
{
    clock.Now = day == today ? now : EndOf(day);
    var result = await engine.RunAsync(clock.Now);
    Log($"engine {day}: {result.Done:N0} steps");
}

await using (var context = database.CreateContext())
{
    // The demo spreads every account over six advisors (about N/6 each): the first keeps its
    // first bookSize accounts, the rest go to the second, so the signed-in advisor's book is a
    // real one's size while the other books stay as big as the planner made them.
    var advisors = await context.Advisors.OrderBy(a => a.Id).Select(a => a.Id).Take(2).ToListAsync();
    var keep = await context.Accounts.Where(a => a.AdvisorId == advisors[0]).OrderBy(a => a.Id).Select(a => a.Id).Take(bookSize).ToListAsync();
    var last = keep[^1];
    var moved = await context.Accounts.Where(a => a.AdvisorId == advisors[0] && a.Id > last)
        .ExecuteUpdateAsync(set => set.SetProperty(a => a.AdvisorId, advisors[1]));
    var tasks = await context.AdvisorTasks.Where(t => t.AdvisorId == advisors[0] && t.AccountId > last)
        .ExecuteUpdateAsync(set => set.SetProperty(t => t.AdvisorId, advisors[1]));
    Log($"advisor {advisors[0]}: keeps {keep.Count} accounts; {moved:N0} accounts and {tasks:N0} tasks moved to advisor {advisors[1]}");
}

await using (var context = database.CreateContext())
{
    // The seeding days leave tens of thousands of messages (64,445 at 1,000,000); the web host's
    // dispatcher would spend the measure writing them out. Delivery has its own measure
    // (docs/performance.md): here they are recorded as sent, by the seeder, at seeding time.
    var sent = await context.Outbox.Where(m => m.Status == Renewals.Data.Model.OutboxStatus.Pending)
        .ExecuteUpdateAsync(set => set.SetProperty(m => m.Status, Renewals.Data.Model.OutboxStatus.Sent).SetProperty(m => m.SentAt, now));
    Log($"outbox: {sent:N0} messages of the seeding days recorded as sent without delivery");
}

await using (var context = database.CreateContext())
{
    // Statistics and clean indexes as a running system keeps them (autovacuum; the engine's PRAGMA
    // optimize): without this, PostgreSQL reads the reassignment's 160,000 dead index entries on every book page.
    context.Database.SetCommandTimeout(TimeSpan.FromHours(1));
    await context.Database.ExecuteSqlRawAsync(database.Provider == DatabaseProvider.PostgreSql ? "VACUUM ANALYZE" : "ANALYZE");
    Log("statistics gathered");
}

await using (var context = database.CreateContext())
{
    var key = await new ApiKeyService(context, clock).MakeAsync(new Actor.OperatorConsole(), null, "load measure");
    Log($"done in {watch.Elapsed.TotalSeconds:N0} s");
    Console.WriteLine($"api-key={key.Secret}");
}

return 0;

static Instant EndOf(LocalDate day) => day.PlusDays(1).AtMidnight().InUtc().ToInstant() - Duration.Epsilon;

static void Log(string line) => Console.Error.WriteLine($"{DateTimeOffset.Now:HH:mm:ss} {line}");

internal sealed class SettableClock(Instant start) : IClock
{
    public Instant Now { get; set; } = start;

    public Instant GetCurrentInstant() => Now;
}
