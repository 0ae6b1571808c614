using Npgsql;
using Renewals.Testing;

namespace Renewals.Core.Tests;

/// <summary>
/// A test run killed mid-way leaves its PostgreSQL cluster running in the temporary folder; the next
/// run stops it and deletes it, and leaves alone the clusters whose test process still runs.
/// </summary>
public sealed class TestClusterSweepTests
{
    [Fact]
    public async Task A_cluster_whose_test_process_is_gone_is_stopped_and_deleted_and_a_live_one_is_kept()
    {
        await using var abandoned = await PostgresCluster.StartAsync();
        await using var alive = await PostgresCluster.StartAsync();
        // The owner of the first is a process that no longer runs: an id with a start time no process has.
        await File.WriteAllTextAsync(Path.Combine(abandoned.Folder, "owner"), "2147483646 0");

        await PostgresCluster.SweepAbandonedAsync();

        Assert.False(Directory.Exists(abandoned.Folder));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => QueryAsync(abandoned.AdminConnectionString));
        Assert.True(Directory.Exists(alive.Folder));
        Assert.Equal(1, await QueryAsync(alive.AdminConnectionString));
    }

    private static async Task<int> QueryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Timeout=3");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
