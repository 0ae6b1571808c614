using Microsoft.EntityFrameworkCore;
using Renewals.Core.Demo;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Tests;

public sealed class SqliteMilestoneQueueTests() : MilestoneQueueTests(DatabaseProvider.Sqlite);

public sealed class PostgresMilestoneQueueTests() : MilestoneQueueTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The engine claims from milestone_queue (issue 15): whoever writes milestones, the queue holds
/// exactly the pending ones, each with its milestone's subscription, due instant and kind.
/// </summary>
public abstract class MilestoneQueueTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task A_sale_queues_its_milestones_and_the_engine_dequeues_what_it_carries_out_and_queues_the_next_term()
    {
        var subscription = await Book.ExampleAsync();
        var sold = await QueueAsync();
        Assert.Equal(await PendingAsync(), sold);
        var dayOne = (await MilestonesAsync(subscription.Id)).Single(m => m.Kind == MilestoneKind.DayOne);
        Assert.Contains(sold, q => q.Id == dayOne.Id);

        await RunOnAsync(Date("2027-01-15"));
        var afterDayOne = await QueueAsync();
        Assert.Equal(await PendingAsync(), afterDayOne);
        Assert.Equal(sold.Count - 1, afterDayOne.Count);
        Assert.DoesNotContain(afterDayOne, q => q.Id == dayOne.Id);

        // Through the renewal of the three-year term: term 1 is carried out, term 2 planned by the engine and queued.
        await RunOnAsync(Date("2030-01-15"));
        var renewed = await QueueAsync();
        Assert.Equal(await PendingAsync(), renewed);
        Assert.NotEmpty(renewed);
        var term2 = (await MilestonesAsync(subscription.Id)).Where(m => m.TermNumber == 2).Select(m => m.Id).ToHashSet();
        Assert.All(renewed, q => Assert.Contains(q.Id, term2));
    }

    [Fact]
    public async Task The_demo_books_bulk_writer_queues_exactly_its_pending_milestones()
    {
        var result = await new DemoBook(Database.Database, Clock).GenerateAsync(300, 2027);

        var queue = await QueueAsync();
        Assert.Equal(await PendingAsync(), queue);
        // The book starts mid-term: what is already past is stored as skipped and is not queued.
        Assert.InRange(queue.Count, 1, result.Milestones - 1);
    }

    private async Task<List<(long Id, long SubscriptionId, NodaTime.Instant DueAt, MilestoneKind Kind)>> QueueAsync()
    {
        await using var db = Database.Context();
        return [.. (await db.MilestoneQueue.AsNoTracking().ToListAsync())
            .Select(q => (q.MilestoneId, q.SubscriptionId, q.DueAt, q.Kind)).OrderBy(q => q.MilestoneId)];
    }

    private async Task<List<(long Id, long SubscriptionId, NodaTime.Instant DueAt, MilestoneKind Kind)>> PendingAsync()
    {
        await using var db = Database.Context();
        return [.. (await db.Milestones.AsNoTracking().Where(m => m.Status == MilestoneStatus.Pending).ToListAsync())
            .Select(m => (m.Id, m.SubscriptionId, m.DueAt, m.Kind)).OrderBy(m => m.Id)];
    }
}
