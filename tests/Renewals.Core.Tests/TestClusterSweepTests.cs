using System.Diagnostics;
using Npgsql;
using Renewals.Testing;

namespace Renewals.Core.Tests;

/// <summary>
/// A test run killed mid-way leaves its PostgreSQL cluster running in the temporary folder; the next
/// run stops it and deletes it, and leaves alone the clusters whose test process, this one or
/// another, still runs.
/// </summary>
public sealed class TestClusterSweepTests
{
    [Fact]
    public async Task A_cluster_whose_owner_process_is_gone_is_stopped_and_deleted_and_those_of_live_processes_are_kept()
    {
        await using var abandoned = await PostgresCluster.StartAsync();
        await using var ours = await PostgresCluster.StartAsync();
        await using var theirs = await PostgresCluster.StartAsync();
        using var other = Process.Start(new ProcessStartInfo("sleep", "120"))!;
        try
        {
            // Owners written as another test process would: its id and its start time read by awk, not by the code under test.
            await File.WriteAllTextAsync(Path.Combine(abandoned.Folder, "owner"), "2147483646 0");
            await File.WriteAllTextAsync(Path.Combine(theirs.Folder, "owner"), $"{other.Id} {await StartTicksAsync(other.Id)}");

            await PostgresCluster.SweepAbandonedAsync();

            Assert.False(Directory.Exists(abandoned.Folder));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => QueryAsync(abandoned.AdminConnectionString));
            Assert.Equal(1, await QueryAsync(ours.AdminConnectionString));
            Assert.Equal(1, await QueryAsync(theirs.AdminConnectionString));

            // Once the other process is gone, its cluster goes at the next sweep; ours stays.
            other.Kill();
            await other.WaitForExitAsync();
            await PostgresCluster.SweepAbandonedAsync();

            Assert.False(Directory.Exists(theirs.Folder));
            Assert.Equal(1, await QueryAsync(ours.AdminConnectionString));
        }
        finally
        {
            if (!other.HasExited)
            {
                other.Kill();
            }
        }
    }

    private static async Task<string> StartTicksAsync(int pid)
    {
        var start = new ProcessStartInfo("awk", ["{print $22}", $"/proc/{pid}/stat"]) { RedirectStandardOutput = true };
        using var awk = Process.Start(start)!;
        var ticks = (await awk.StandardOutput.ReadToEndAsync()).Trim();
        await awk.WaitForExitAsync();
        return ticks;
    }

    private static async Task<int> QueryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Timeout=3");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
