using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Data;

namespace Renewals.LoadSeed;

/// <summary>
/// Where the time of one advisor's book page goes (docs/performance.md, issue 13's load section):
/// each phase of the page's reads timed alone with a Stopwatch, one request at a time, over an
/// already seeded database (read only: it writes nothing), then the whole page over HTTP when a
/// web host and a signed-in cookie are given, so "the host" is the page minus its reads.
///
///   renewals-load-seed --profile-book --db FILE|CONNECTION [--repeat 200] [--url http://127.0.0.1:5391] [--cookie renewals.auth=...]
/// </summary>
internal static class BookProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = SeedArguments.Parse(args, "usage: renewals-load-seed --profile-book --db FILE|CONNECTION [--repeat 200] [--url URL --cookie NAME=VALUE]",
            ["--db", "--repeat", "--url", "--cookie"], ["--profile-book"]);
        if (parsed?.Required("--db") is not { } setting)
        {
            return 2;
        }

        var repeat = parsed.Number("--repeat", 200);
        string? url = parsed.Text("--url"), cookie = parsed.Text("--cookie");

        var database = RenewalsDatabase.FromSetting(setting);
        // A tool run by hand: "now" is the wall clock's, as the web host's is.
        var clock = SystemClock.Instance;
        // The placeholder vendor, as StatementCount's host (configured with the database alone) has: it only dates which invoices are overdue.
        var vendor = Renewals.Core.Invoicing.Seller.Default;
        long advisorId;
        List<long> middleAnchor;
        await using (var context = database.CreateContext())
        {
            // The seeder's signed-in advisor: the first one, whose book it cut to a real size.
            advisorId = await context.Advisors.OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
            var bookSize = await context.Accounts.CountAsync(a => a.AdvisorId == advisorId);
            // The anchor of the page in the middle: the account just before it, in the book's order.
            middleAnchor = await context.Accounts.Where(a => a.AdvisorId == advisorId).OrderBy(a => a.Name).ThenBy(a => a.Id)
                .Skip(Math.Max(0, (bookSize / PageAt.DefaultSize / 2 * PageAt.DefaultSize) - 1)).Take(1).Select(a => a.Id).ToListAsync();
            var tasks = await context.AdvisorTasks.CountAsync(t => (t.AdvisorId == advisorId || t.AdvisorId == null) && t.Status == Data.Model.AdvisorTaskStatus.Open);
            Console.WriteLine($"advisor {advisorId}: {bookSize} accounts, {tasks} open tasks (own and queue); {repeat} requests a phase, one at a time");
        }

        var advisor = new Actor.Advisor(advisorId);
        var middle = new PageAt(After: middleAnchor.FirstOrDefault());
        IReadOnlyList<long> firstIds;
        await using (var context = database.CreateContext())
        {
            firstIds = [.. (await new AdvisorBookService(context, clock, vendor).PageAsync(advisor, PageAt.Top)).Items.Select(a => a.Id)];
        }

        Console.WriteLine("| phase | median ms | p90 ms |");
        Console.WriteLine("| --- | ---: | ---: |");
        await PhaseAsync("book, first page: accounts (keyset, count, place) + facts of its 50", repeat, database,
            db => new AdvisorBookService(db, clock, vendor).PageAsync(advisor, PageAt.Top));
        await PhaseAsync("book, page in the middle: the same", repeat, database,
            db => new AdvisorBookService(db, clock, vendor).PageAsync(advisor, middle));
        await PhaseAsync("of which: the facts of the first page's 50 accounts alone", repeat, database,
            db => BookFacts.ReadAsync(db, clock, advisor, firstIds.ToList(), vendor));
        await PhaseAsync("task queue, first page (50 of the open tasks, count)", repeat, database,
            db => new AdvisorTaskService(db, clock).PageAsync(advisor, PageAt.Top));
        await PhaseAsync("which tasks' accounts are in the book (one query)", repeat, database,
            db => new AdvisorBookService(db, clock, vendor).HeldAsync(advisor, firstIds.ToList()));
        await PhaseAsync("the page's reads together (book page, task page, held), one context as the host has", repeat, database, async db =>
        {
            await new AdvisorBookService(db, clock, vendor).PageAsync(advisor, PageAt.Top);
            var tasks = await new AdvisorTaskService(db, clock).PageAsync(advisor, PageAt.Top);
            return await new AdvisorBookService(db, clock, vendor).HeldAsync(advisor, [.. tasks.Items.Where(t => t.AccountId is not null).Select(t => t.AccountId!.Value).Distinct()]);
        });
        await PhaseAsync("before paging: the whole book's facts (every account)", Math.Max(1, repeat / 10), database,
            db => new AdvisorBookService(db, clock, vendor).ListAsync(advisor));

        if (url is not null && cookie is not null)
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            http.DefaultRequestHeaders.Add("Cookie", cookie);
            await HttpPhaseAsync("the whole page over HTTP (/advisor): reads + host (auth, render, write)", repeat, http, "/advisor");
            // What a row costs from end to end (its facts and its rendering) against what every page costs (sign-in cookie, layout, feed, counts).
            await HttpPhaseAsync("the page with 1 account and 1 task a page (/advisor?size=1)", repeat, http, "/advisor?size=1");
            await HttpPhaseAsync("the page with 200 accounts and 200 tasks a page (/advisor?size=200)", Math.Max(1, repeat / 4), http, "/advisor?size=200");
            await HttpPhaseAsync("the floor over HTTP (/signin, no database)", repeat, http, "/signin");
        }

        return 0;
    }

    private static async Task PhaseAsync<T>(string name, int repeat, RenewalsDatabase database, Func<RenewalsDbContext, Task<T>> read)
    {
        var times = new List<double>(repeat);
        for (var i = -Math.Min(20, repeat); i < repeat; i++)
        {
            // A context per request, as the web host's scope gives one; its creation counts.
            var watch = Stopwatch.StartNew();
            await using (var db = database.CreateContext())
            {
                await read(db);
            }

            if (i >= 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        Report(name, times);
    }

    private static async Task HttpPhaseAsync(string name, int repeat, HttpClient http, string path)
    {
        var times = new List<double>(repeat);
        for (var i = -Math.Min(20, repeat); i < repeat; i++)
        {
            var watch = Stopwatch.StartNew();
            using var answer = await http.GetAsync(new Uri(path, UriKind.Relative));
            answer.EnsureSuccessStatusCode();
            await answer.Content.ReadAsByteArrayAsync();
            if (i >= 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        Report(name, times);
    }

    private static void Report(string name, List<double> times)
    {
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {times[times.Count / 2]:F2} | {times[Math.Min(times.Count - 1, times.Count * 9 / 10)]:F2} |"));
    }
}
