using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Core.Tests;

/// <summary>
/// Proves that a task is blocked on a lock held by the test, before the test releases it. On
/// PostgreSQL the server says so (a backend of this database waits on a lock); SQLite has no
/// such view, so there the proof is that the task, which has nothing else to wait for, is
/// still running after a second.
/// </summary>
internal static class Waiting
{
    /// <param name="waiters">On PostgreSQL, how many sessions must be waiting (the task's and those blocked before it).</param>
    public static async Task UntilBlockedAsync(TestDatabase database, DatabaseProvider provider, Task task, int waiters = 1)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(1)));
            Assert.False(task.IsCompleted, "the second writer did not wait for the first: " + task.Exception);
            return;
        }

        await using var db = database.Context();
        var connection = (DbConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        for (var i = 0; i < 300; i++)
        {
            Assert.False(task.IsCompleted, "the second writer finished without waiting for the first");
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
            if (Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) >= waiters)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("no session waited on a lock within 30 seconds");
    }
}
