using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Renewals.Data;

namespace Renewals.Bench;

/// <summary>
/// What a phase wrote and how much CPU it cost, in measures a loaded machine hardly moves
/// (issue 15): PostgreSQL WAL bytes (pg_current_wal_lsn), rows inserted/updated/deleted and HOT
/// updates (pg_stat_user_tables), index blocks touched (pg_statio_user_indexes), the server's
/// own CPU (the postmaster and its children, from /proc); SQLite bytes the process wrote
/// (/proc/self/io write_bytes) and the growth of the database and its WAL; on both, the bench
/// process's CPU and managed allocations. Read at the phase's start and end.
/// </summary>
internal sealed class WriteProbe
{
    private readonly RenewalsDatabase _database;
    private readonly Snapshot _begin;

    private WriteProbe(RenewalsDatabase database, Snapshot begin)
    {
        _database = database;
        _begin = begin;
    }

    public static async Task<WriteProbe> BeginAsync(RenewalsDatabase database) => new(database, await ReadAsync(database));

    /// <summary>One line of per-execution figures, from the phase's start to now.</summary>
    public async Task<string> EndAsync(long executions)
    {
        var end = await ReadAsync(_database);
        var b = _begin;
        var n = Math.Max(1, executions);
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>
        {
            string.Create(inv, $"bench CPU {(end.OwnCpu - b.OwnCpu) * 1e6 / n:N0} µs"),
            string.Create(inv, $"allocated {(end.Allocated - b.Allocated) / (double)n / 1024:N1} KiB"),
        };
        if (_database.Provider == DatabaseProvider.PostgreSql)
        {
            var upd = end.MilestoneUpdates - b.MilestoneUpdates;
            var hot = end.MilestoneHotUpdates - b.MilestoneHotUpdates;
            parts.Add(string.Create(inv, $"server CPU {(end.ServerCpu - b.ServerCpu) * 1e6 / n:N0} µs"));
            parts.Add(string.Create(inv, $"WAL {(end.Wal - b.Wal) / (double)n:N0} B"));
            parts.Add(string.Create(inv, $"rows written (ins+upd+del, all tables) {(end.RowsWritten - b.RowsWritten) / (double)n:N2}"));
            parts.Add(string.Create(inv, $"index blocks touched {(end.IndexBlocks - b.IndexBlocks) / (double)n:N1}"));
            parts.Add(string.Create(inv, $"milestones HOT updates {hot:N0} of {upd:N0} ({(upd == 0 ? 0 : 100.0 * hot / upd):N1} %)"));
        }
        else
        {
            parts.Add(string.Create(inv, $"process write_bytes {(end.WriteBytes - b.WriteBytes) / (double)n:N0} B"));
            parts.Add(string.Create(inv, $"db+wal growth {(end.FileBytes - b.FileBytes) / (double)n:N0} B"));
        }

        return "per execution: " + string.Join(", ", parts);
    }

    private sealed record Snapshot(
        double OwnCpu, long Allocated, long Wal, long RowsWritten, long IndexBlocks, long MilestoneUpdates, long MilestoneHotUpdates,
        double ServerCpu, long WriteBytes, long FileBytes);

    private static async Task<Snapshot> ReadAsync(RenewalsDatabase database)
    {
        using var process = Process.GetCurrentProcess();
        var own = process.TotalProcessorTime.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            // The statistics collector is read from a snapshot; clear it so each read is fresh.
            await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection))
            {
                await clear.ExecuteNonQueryAsync();
            }

            await using var command = new NpgsqlCommand("""
                SELECT pg_current_wal_lsn() - '0/0'::pg_lsn,
                       (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables),
                       (SELECT coalesce(sum(idx_blks_read + idx_blks_hit), 0) FROM pg_statio_user_indexes),
                       (SELECT coalesce(sum(n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'milestones'),
                       (SELECT coalesce(sum(n_tup_hot_upd), 0) FROM pg_stat_user_tables WHERE relname = 'milestones'),
                       pg_backend_pid()
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return new Snapshot(own, allocated, (long)reader.GetDecimal(0), (long)reader.GetDecimal(1), (long)reader.GetDecimal(2),
                (long)reader.GetDecimal(3), (long)reader.GetDecimal(4), ServerCpu(reader.GetInt32(5)), 0, 0);
        }

        var file = database.SqliteFile!;
        var size = Size(file) + Size(file + "-wal");
        return new Snapshot(own, allocated, 0, 0, 0, 0, 0, 0, ProcIo("write_bytes:"), size);
    }

    /// <summary>
    /// CPU seconds of the server that runs <paramref name="backendPid"/>: its postmaster's own and
    /// reaped children's (cutime, cstime: backends that have exited), plus every live child's.
    /// </summary>
    private static double ServerCpu(int backendPid)
    {
        try
        {
            var postmaster = Stat(backendPid)[1];
            var ticks = 0L;
            var pm = Stat((int)postmaster);
            ticks += pm[11] + pm[12] + pm[13] + pm[14];
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != postmaster)
                {
                    try
                    {
                        var s = Stat(pid);
                        if (s[1] == postmaster)
                        {
                            ticks += s[11] + s[12];
                        }
                    }
                    catch (IOException)
                    {
                    }
                    catch (UnauthorizedAccessException)
                    {
                    }
                }
            }

            return ticks / 100.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>/proc/PID/stat fields after the command name: [0] state (as 0), [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime.</summary>
    private static long[] Stat(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Take(15).Select((f, i) => i == 0 ? 0 : long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    }

    private static long Size(string file) => File.Exists(file) ? new FileInfo(file).Length : 0;

    private static long ProcIo(string key)
    {
        try
        {
            var line = File.ReadLines("/proc/self/io").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[key.Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
