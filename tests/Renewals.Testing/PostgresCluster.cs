using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Renewals.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for one test run: initdb into a temporary folder, started
/// on a free loopback port, stopped and deleted at the end. Each test asks it for a fresh
/// database of its own.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static PostgresCluster? _shared;

    private readonly string _bin;
    private readonly string _folder;
    private readonly SemaphoreSlim _templateLock = new(1, 1);
    private int _databases;
    private string? _template;

    private PostgresCluster(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>One cluster per test process, started on first use and stopped when the process exits.</summary>
    public static async Task<PostgresCluster> SharedAsync()
    {
        await StartLock.WaitAsync();
        try
        {
            if (_shared is null)
            {
                _shared = await StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => _shared.Stop();
            }

            return _shared;
        }
        finally
        {
            StartLock.Release();
        }
    }

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBinaries();
        if (Interlocked.Exchange(ref _swept, 1) == 0)
        {
            await SweepAbandonedAsync(bin);
        }

        var folder = Path.Combine(Path.GetTempPath(), FolderPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        // Who owns the cluster: a later run stops and deletes it if this process dies without doing so.
        // Written whole and then renamed, so a sweep in another test process never reads half of it.
        var owner = Path.Combine(folder, OwnerFile);
        await File.WriteAllTextAsync(owner + ".new", Owner(Environment.ProcessId));
        File.Move(owner + ".new", owner);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            await RunAsync("chown", "postgres:postgres", folder);
        }

        var port = LoopbackPorts.Free();
        var data = Path.Combine(folder, "data");
        await RunAsPostgresAsync(asRoot, Path.Combine(bin, "initdb"),
            "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=trust", "-E", "UTF8", "--no-sync", "-N");
        await RunAsPostgresAsync(asRoot, Path.Combine(bin, "pg_ctl"),
            "-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400");
        return new PostgresCluster(bin, folder, port);
    }

    private string NewName() => $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..20];

    private string ConnectionStringOf(string name) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";

    /// <summary>A new, empty database (or a copy of <paramref name="template"/>); returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? template = null)
    {
        var name = NewName();
        await ExecuteAsync(template is null ? $"CREATE DATABASE {name}" : $"CREATE DATABASE {name} TEMPLATE {template}");
        return ConnectionStringOf(name);
    }

    /// <summary>
    /// A new database that is a copy of <paramref name="source"/>, whose idle connections (a pool's)
    /// are ended first: PostgreSQL copies only a database nobody is connected to. Nothing may be
    /// using <paramref name="source"/> meanwhile.
    /// </summary>
    public async Task<string> CopyDatabaseAsync(string source)
    {
        var name = NewName();
        await CopyDatabaseAsync(AdminConnectionString, source, name);
        return ConnectionStringOf(name);
    }

    /// <summary>
    /// Makes the database <paramref name="target"/> a copy of <paramref name="source"/>, on the server
    /// <paramref name="adminConnectionString"/> reaches (connected to another database): the idle
    /// sessions on <paramref name="source"/> (a pool's) are ended first, since PostgreSQL copies only
    /// a database nobody is connected to, and again if one ended a moment late. Nothing may be using
    /// <paramref name="source"/> meanwhile.
    /// </summary>
    public static async Task CopyDatabaseAsync(string adminConnectionString, string source, string target)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        for (var attempt = 1; ; attempt++)
        {
            await EndSessionsAsync(connection, source);
            try
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(target)} TEMPLATE {QuoteIdentifier(source)}", connection);
                await create.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                // A connection ended a moment after the check: end it and copy again.
            }
        }
    }

    /// <summary>
    /// Ends every session on the database the <paramref name="connectionString"/> names, from the
    /// same server's <c>postgres</c> database. A test's pools cannot be emptied from outside:
    /// Entity Framework's provider keeps its own data source per connection string, which
    /// <c>NpgsqlConnection.ClearPool</c> does not reach, so its idle connections would hold the
    /// shared cluster's slots for minutes. (Dropping the database would too, but each drop makes
    /// the whole cluster checkpoint.)
    /// </summary>
    public static async Task EndSessionsAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = builder.Database ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        builder.Database = "postgres";
        builder.Pooling = false;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await EndSessionsAsync(connection, name);
    }

    /// <summary>Ends the sessions on <paramref name="database"/>, waiting up to 5 s for each, over <paramref name="admin"/> (connected to another database).</summary>
    private static async Task EndSessionsAsync(NpgsqlConnection admin, string database)
    {
        await using var end = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", admin);
        end.Parameters.AddWithValue(database);
        await end.ExecuteScalarAsync();
    }

    /// <summary><paramref name="identifier"/> as a quoted SQL identifier, its case and any quote kept.</summary>
    public static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// A new database that is a copy of one <paramref name="prepare"/> set up once in this cluster
    /// (the first call runs it, every call copies its result with CREATE DATABASE ... TEMPLATE):
    /// the same database as one prepared afresh, without preparing it again.
    /// </summary>
    /// <param name="prepare">Sets up the database named by the connection string it is given (unpooled).</param>
    public async Task<string> CreatePreparedDatabaseAsync(Func<string, Task> prepare)
    {
        await _templateLock.WaitAsync();
        try
        {
            if (_template is null)
            {
                var connectionString = await CreateDatabaseAsync();
                await prepare(connectionString + ";Pooling=false");
                // A database is copied only while nobody is connected to it: from now on nobody can.
                var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
                await ExecuteAsync($"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false");
                _template = name;
            }
        }
        finally
        {
            _templateLock.Release();
        }

        return await CreateDatabaseAsync(_template);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public void Stop()
    {
        try
        {
            var asRoot = Environment.UserName == "root";
            RunAsPostgresAsync(asRoot, Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop")
                .GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private const string FolderPrefix = "renewals-pg-";
    private const string OwnerFile = "owner";
    private static int _swept;

    /// <summary>The folder the cluster's data, socket and log are in.</summary>
    public string Folder => _folder;

    /// <summary>
    /// Stops and deletes the clusters of test processes that died without stopping them (a killed run,
    /// a hung test host): their postmaster lives on and each holds gigabytes in the temporary folder.
    /// A cluster is abandoned when the process named in its owner file no longer runs (same id and start
    /// time); clusters without an owner file are not this class's and are left alone.
    /// </summary>
    public static Task SweepAbandonedAsync() => SweepAbandonedAsync(FindBinaries());

    private static async Task SweepAbandonedAsync(string bin)
    {
        var asRoot = Environment.UserName == "root";
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            string owner;
            try
            {
                owner = await File.ReadAllTextAsync(Path.Combine(folder, OwnerFile));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (int.TryParse(owner.Split(' ')[0], out var pid) && Owner(pid) == owner)
            {
                continue;
            }

            var data = Path.Combine(folder, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                try
                {
                    await RunAsPostgresAsync(asRoot, Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");
                }
                catch (InvalidOperationException)
                {
                    // Not running any more: only the files are left.
                }
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// A process named by its id and its start time in clock ticks since boot (field 22 of
    /// /proc/PID/stat, fixed for the process's life), so that a reused id is not taken for the owner.
    /// Process.StartTime is not used: it is worked out from the current uptime and differs by a few
    /// ticks from one reading to the next, which would make a live owner look gone.
    /// </summary>
    private static string Owner(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return $"{pid} {fields[19]}";
    }

    /// <summary>
    /// Restarts the server as a crash would (pg_ctl restart -m immediate: no checkpoint, every
    /// connection cut, crash recovery at start), on the same port with the same settings;
    /// returns once it accepts connections again.
    /// </summary>
    public Task RestartImmediatelyAsync() =>
        RunAsPostgresAsync(Environment.UserName == "root", Path.Combine(_bin, "pg_ctl"),
            "-D", Path.Combine(_folder, "data"), "-l", Path.Combine(_folder, "server.log"), "-m", "immediate", "-w", "-t", "60", "restart");

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("RENEWALS_PG_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "initdb")))
        {
            return configured;
        }

        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found: run ./test.sh (it installs them) or set RENEWALS_PG_BIN.");
    }

    private static Task RunAsPostgresAsync(bool asRoot, string program, params string[] args) =>
        asRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : RunAsync(program, args);

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await output} {await error}");
        }
    }
}
