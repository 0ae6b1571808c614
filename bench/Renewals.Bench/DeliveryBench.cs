using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Bench;

/// <summary>
/// <c>--phase delivery</c>: how fast the outbox reaches an SMTP server on loopback. A demo book
/// of N subscriptions, the engine run over it once up to --until (the messages it writes wait in
/// the outbox), then three passes over the same waiting messages:
/// compose only (what the dispatcher reads and renders for each, nothing sent, nothing written),
/// send only (those composed messages handed to one SMTP connection), and the dispatcher itself
/// (<see cref="OutboxDispatcher"/> with <see cref="SmtpTransport"/>, everything it records),
/// each with the machine's load average. The first two split the third's cost.
/// With <c>--passes P</c> the dispatcher's pass runs P times over the same messages, the database
/// put back as the engine left it before every pass (SQLite's backup; on PostgreSQL a copy of the
/// database made with <c>CREATE DATABASE … TEMPLATE</c>): the first pass pays the process's
/// warm-up (the JIT compiling and then recompiling the delivery path, which a host running for
/// days paid long ago), the later ones show the steady rate. Each pass reports its JIT time and
/// its garbage collections.
/// </summary>
internal static class DeliveryBench
{
    public const string Usage = """
        renewals-bench --phase delivery: the outbox delivered by SMTP to a receiving server on loopback.

          dotnet run -c Release --project bench/Renewals.Bench -- --phase delivery [options]

          --n N            subscriptions of the demo book (default 3000)
          --until DATE     the engine runs once as of the end of this day, ISO (default 2027-03-31)
          --provider P     sqlite (default) or postgres
          --pg CS          PostgreSQL connection string (the database is emptied: schema public dropped)
          --workers W      concurrent deliveries of the dispatcher (default: its own default)
          --dispatchers D  dispatchers at once, as D web hosts would run them (PostgreSQL only; default 1)
          --no-split       skip the compose-only and send-only passes
          --passes P       the dispatcher's pass P times over the same messages, the database put
                           back as the engine left it before every pass (default 1). On PostgreSQL
                           (13 or later) the copy is the database NAME_before_dispatch, dropped at the
                           end; before every pass NAME is dropped, its sessions ended, and made again
                           from the copy, owned by the bench's role (its grants and settings lost).
                           The role needs CREATEDB and must own NAME, or be a superuser.
          --work-dir DIR   the SQLite file goes here (default <temp>/renewals-bench-delivery)
        """;

    private static readonly string[] Steps =
        ["read the row", "purpose", "model", "stored templates", "render (Fluid)", "attachments", "compose (all of the above but the row and purpose, again, as the dispatcher calls it)", "write MIME", "send"];

    /// <summary>
    /// An empty, migrated database for a delivery phase: PostgreSQL's public schema dropped and made again
    /// (<paramref name="pg"/> required), or a new SQLite file in <paramref name="workDir"/> with the lock files
    /// the dispatchers leave beside it.
    /// </summary>
    internal static async Task<RenewalsDatabase> FreshDatabaseAsync(string provider, string? pg, string workDir)
    {
        RenewalsDatabase database;
        if (provider == "postgres")
        {
            await using var source = NpgsqlDataSource.Create(pg ?? throw new UsageException("--provider postgres needs --pg"));
            await using var reset = source.CreateCommand("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
            await reset.ExecuteNonQueryAsync();
            database = RenewalsDatabase.FromSetting(pg);
        }
        else
        {
            Directory.CreateDirectory(workDir);
            var file = Path.Combine(workDir, "renewals.db");
            foreach (var suffix in new[] { "", "-wal", "-shm", ".engine-lock", ".dispatcher-lock", ".webhooks-lock" })
            {
                File.Delete(file + suffix);
            }

            database = RenewalsDatabase.FromSetting(file);
        }

        await database.MigrateAsync();
        return database;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        int? workers = null;
        var split = true;
        var passes = 1;
        var (n, until, provider, pg, dispatchers, workDir) = PhaseOptions.Parse(args, Usage, "renewals-bench-delivery", (name, value) =>
        {
            switch (name)
            {
                case "--workers": workers = int.Parse(value(), CultureInfo.InvariantCulture); return true;
                case "--no-split": split = false; return true;
                case "--passes": passes = int.Parse(value(), CultureInfo.InvariantCulture); return true;
                default: return false;
            }
        });
        if (passes < 1)
        {
            throw new UsageException("--passes needs a count of at least 1");
        }

        if (passes > 1 && provider == "postgres")
        {
            // Checked before the book is written: a bad name would only fail minutes later.
            PostgresSnapshot.CheckName(pg);
        }

        var database = await FreshDatabaseAsync(provider, pg, workDir);
        // As the dispatch fault test does: the book planned today, the engine's clock early, so
        // every message is due and still serves its purpose when delivered "today".
        var today = new LocalDate(2026, 11, 26).AtMidnight().InUtc().ToInstant();
        await new DemoBook(database, new SettableClock(today)).GenerateAsync(n, 2027);
        await new RenewalEngine(database, new SettableClock(Instant.FromUtc(2026, 1, 1, 0, 0))).RunAsync(until.PlusDays(1).AtMidnight().InUtc().ToInstant());
        var now = today + Duration.FromHours(12);
        int waiting;
        await using (var db = database.CreateContext())
        {
            waiting = await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Pending);
        }

        ProductBench.Log($"delivery: {n:N0} subscriptions, {waiting:N0} messages waiting ({provider})");
        var options = new DeliveryOptions { DeliveryWorkers = workers ?? new DeliveryOptions().DeliveryWorkers };
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), options, Attachments.For(Core.Invoicing.Seller.Default));
        // The tests' SMTP server, counting only: the far end of the measure keeps nothing.
        await using var sink = new Renewals.Testing.TestSmtpServer(countOnly: true);
        await sink.StartAsync();
        var settings = new SmtpSettings("127.0.0.1", sink.Port, SmtpTls.None);

        if (split)
        {
            await SplitAsync(database, composer, settings, now, sink);
        }

        // The database as the engine left it, put back before every pass (the first too, so that
        // every pass reads the same data).
        ISnapshot? taken = null;
        if (passes > 1)
        {
            taken = database.Provider == DatabaseProvider.Sqlite
                ? await SqliteSnapshot.TakeAsync(database, workDir)
                : await PostgresSnapshot.TakeAsync(database);
        }

        await using var snapshot = taken;
        for (var pass = 1; pass <= passes; pass++)
        {
            var passDatabase = snapshot is null ? database : await snapshot.RestoreAsync(pass);
            await DispatchPassAsync(passDatabase, composer, settings, now, sink, dispatchers, passes > 1 ? $"pass {pass} of {passes}, " : "");
        }

        return 0;
    }

    /// <summary>The database as the engine left it, to put back before each pass.</summary>
    private interface ISnapshot : IAsyncDisposable
    {
        /// <summary>Puts the copy back; returns the database the pass is to use.</summary>
        Task<RenewalsDatabase> RestoreAsync(int pass);
    }

    /// <summary>A copy of the SQLite file made with <c>VACUUM INTO</c>, put back by SQLite's backup as <c>renewals db restore</c> does, and back in WAL mode.</summary>
    private sealed class SqliteSnapshot(RenewalsDatabase database, string copy) : ISnapshot
    {
        public static async Task<ISnapshot> TakeAsync(RenewalsDatabase database, string workDir)
        {
            var copy = Path.Combine(workDir, "before-dispatch.db");
            File.Delete(copy);
            await using var db = database.CreateContext();
            await db.Database.ExecuteSqlAsync($"VACUUM INTO {copy}");
            return new SqliteSnapshot(database, copy);
        }

        public async Task<RenewalsDatabase> RestoreAsync(int pass)
        {
            await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.SqliteFile, Pooling = false }.ToString());
            await source.OpenAsync();
            await target.OpenAsync();
            source.BackupDatabase(target);
            await using var wal = target.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL";
            await wal.ExecuteNonQueryAsync();
            return database;
        }

        public ValueTask DisposeAsync()
        {
            File.Delete(copy);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// A copy of the PostgreSQL database made with <c>CREATE DATABASE copy TEMPLATE name</c>; put back
    /// by dropping the database (its sessions ended) and making it again from the copy. The sessions
    /// ended belong to pools EF Core keeps per connection string, out of the bench's reach, so each
    /// pass gets its own connection string (its application name) and with it a pool of its own; the
    /// pools of earlier passes stay behind, idle and dead, until the process ends.
    /// </summary>
    private sealed class PostgresSnapshot(RenewalsDatabase database, string maintenance, string name, string copy) : ISnapshot
    {
        private const string Suffix = "_before_dispatch";

        /// <summary>False between dropping the database and making it again: the copy is then all there is.</summary>
        private bool _whole = true;

        /// <summary>The database to copy, named in <paramref name="pg"/>, short enough for its copy's name (63 bytes).</summary>
        public static string CheckName(string? pg)
        {
            var name = new NpgsqlConnectionStringBuilder(pg).Database;
            if (string.IsNullOrEmpty(name))
            {
                throw new UsageException("--passes on PostgreSQL needs --pg with a Database= (the database to copy)");
            }

            if (Encoding.UTF8.GetByteCount(name + Suffix) > 63)
            {
                throw new UsageException($"--passes on PostgreSQL: the copy's name, {name}{Suffix}, would be longer than PostgreSQL's 63 bytes; use a shorter database name");
            }

            return name;
        }

        public static async Task<ISnapshot> TakeAsync(RenewalsDatabase database)
        {
            var name = CheckName(database.ConnectionString);
            // The maintenance connection must not be on the database it drops.
            var maintenance = new NpgsqlConnectionStringBuilder(database.ConnectionString)
            {
                Database = name == "postgres" ? "template1" : "postgres",
                Pooling = false,
            }.ToString();
            var copy = name + Suffix;
            var snapshot = new PostgresSnapshot(database, maintenance, name, copy);
            try
            {
                await snapshot.ExecAsync($"DROP DATABASE IF EXISTS {Quote(copy)}");
                // Ends the engine's and the book's pooled sessions first; nothing uses their pool again.
                await Renewals.Testing.PostgresCluster.CopyDatabaseAsync(maintenance, name, copy);
                return snapshot;
            }
            catch
            {
                await snapshot.DisposeAsync();
                throw;
            }
        }

        public async Task<RenewalsDatabase> RestoreAsync(int pass)
        {
            _whole = false;
            await ExecAsync($"DROP DATABASE {Quote(name)} WITH (FORCE)");
            await Renewals.Testing.PostgresCluster.CopyDatabaseAsync(maintenance, copy, name);
            _whole = true;
            return RenewalsDatabase.FromSetting(new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = $"renewals-bench pass {pass}" }.ToString());
        }

        public async ValueTask DisposeAsync()
        {
            if (_whole)
            {
                await ExecAsync($"DROP DATABASE IF EXISTS {Quote(copy)}");
            }
            else
            {
                ProductBench.Log($"the database {name} could not be made again; its copy {copy} is kept");
            }
        }

        private async Task ExecAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(maintenance);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        private static string Quote(string identifier) => Renewals.Testing.PostgresCluster.QuoteIdentifier(identifier);
    }

    /// <summary>The dispatcher (<paramref name="dispatchers"/> at once) over every waiting message, timed, with its JIT time and garbage collections.</summary>
    private static async Task DispatchPassAsync(RenewalsDatabase database, MessageComposer composer, SmtpSettings settings, Instant now, Renewals.Testing.TestSmtpServer sink, int dispatchers, string label)
    {
        var before = sink.Messages;
        var connections = sink.Connections;
        var load = Load();
        var runtime = Runtime.Start();
        var cpu = Cpu.Start();
        var watch = Stopwatch.StartNew();
        // Each dispatcher with its own transport, as each web host has its own.
        var results = await Task.WhenAll(Enumerable.Range(0, dispatchers).Select(_ => Task.Run(async () =>
        {
            await using var transport = new SmtpTransport(settings);
            return await new OutboxDispatcher(database, composer, transport, Core.Invoicing.Seller.Default, new SettableClock(now)).DispatchAsync(now);
        })));
        var result = results.Aggregate((a, b) => new DispatchResult(a.Sent + b.Sent, a.Retrying + b.Retrying, a.DeadLettered + b.DeadLettered, a.Discarded + b.Discarded));

        watch.Stop();
        var (own, others) = cpu.Stop();
        var taken = sink.Messages - before;
        ProductBench.Log($"dispatch ({label}{dispatchers} dispatcher(s) [{string.Join(" + ", results.Select(r => r.Sent.ToString("N0", CultureInfo.InvariantCulture)))} sent], {composer.Options.DeliveryWorkers} workers each): "
            + $"sent {result.Sent:N0}, retrying {result.Retrying}, dead {result.DeadLettered}, discarded {result.Discarded}; "
            + $"server took {taken:N0} in {watch.Elapsed.TotalSeconds:N1} s = {taken / watch.Elapsed.TotalSeconds:N0} messages/s over {sink.Connections - connections} connection(s); "
            + $"{own * 1000 / Math.Max(1, taken):N2} CPU ms a message; CPU bench {own:N1} s / other processes {others:N1} s; {runtime.Stop()}; load average {load} -> {Load()}");
        await using (var db = database.CreateContext())
        {
            var left = await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Pending);
            ProductBench.Log($"left waiting: {left}; sent rows: {await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Sent):N0}");
        }
    }

    /// <summary>
    /// Every waiting message read, checked, modelled, rendered, given its attachments, written out
    /// and handed to one SMTP connection, as the dispatcher does (nothing recorded), each step
    /// timed on its own: where a message's time goes.
    /// </summary>
    private static async Task SplitAsync(RenewalsDatabase database, MessageComposer composer, SmtpSettings settings, Instant now, Renewals.Testing.TestSmtpServer sink)
    {
        var load = Load();
        var cpu = Cpu.Start();
        var steps = Steps.ToDictionary(name => name, _ => new Stopwatch());
        var total = Stopwatch.StartNew();
        long count = 0, discarded = 0;
        var sources = Attachments.For(Core.Invoicing.Seller.Default);
        var renderer = new MessageRenderer(TemplateLibrary.FromSetting(null));
        await using var transport = new SmtpTransport(settings);
        await using var db = database.CreateContext();
        var ids = await db.Outbox.AsNoTracking().Where(m => m.Status == OutboxStatus.Pending).OrderBy(m => m.Id).Select(m => m.Id).ToListAsync();
        async Task<T> Timed<T>(string step, Func<Task<T>> work)
        {
            steps[step].Start();
            try
            {
                return await work();
            }
            finally
            {
                steps[step].Stop();
            }
        }

        foreach (var id in ids)
        {
            db.ChangeTracker.Clear();
            var message = await Timed("read the row", () => db.Outbox.AsNoTracking().SingleAsync(m => m.Id == id));
            if (await Timed("purpose", () => MessagePurpose.OutdatedAsync(db, message, now, Core.Invoicing.Seller.Default, null, default)) is not null)
            {
                discarded++;
                continue;
            }

            var model = await Timed("model", () => MessageModel.LoadAsync(db, message, composer.Options.PortalUrl, now, default));
            var stored = await Timed("stored templates", () => StoredTemplates.CurrentAsync(db, message.Template, message.Language, default));
            await Timed("render (Fluid)", () => renderer.RenderAsync(message.Template, message.Language, model, stored));
            await Timed("attachments", async () =>
            {
                foreach (var source in sources)
                {
                    await source.AttachmentsAsync(db, message, default);
                }

                return 0;
            });
            var mime = await Timed("compose (all of the above but the row and purpose, again, as the dispatcher calls it)", () => composer.ComposeAsync(db, message, now, default));
            await Timed("write MIME", async () =>
            {
                await mime.WriteToAsync(Stream.Null);
                return 0;
            });
            await Timed("send", async () =>
            {
                await transport.SendAsync(mime, default);
                return 0;
            });
            count++;
        }

        total.Stop();
        var (own, others) = cpu.Stop();
        ProductBench.Log($"split: {count:N0} messages ({discarded} past their purpose) in {total.Elapsed.TotalSeconds:N1} s, "
            + $"{sink.Bytes / Math.Max(1, sink.Messages) / 1024.0:N1} KiB a message; CPU bench {own:N1} s / other {others:N1} s; load average {load} -> {Load()}");
        foreach (var (step, watch) in steps)
        {
            ProductBench.Log($"  {step}: {watch.Elapsed.TotalSeconds:N2} s, {watch.Elapsed.TotalMilliseconds / Math.Max(1, count):N2} ms a message");
        }
    }

    /// <summary>The runtime's own work over an interval: JIT compilation time and methods compiled, garbage collections by generation and their pauses.</summary>
    internal sealed class Runtime
    {
        private TimeSpan _jit;
        private long _methods;
        private int _gen0;
        private int _gen1;
        private int _gen2;
        private TimeSpan _paused;

        public static Runtime Start() => new()
        {
            _jit = System.Runtime.JitInfo.GetCompilationTime(),
            _methods = System.Runtime.JitInfo.GetCompiledMethodCount(),
            _gen0 = GC.CollectionCount(0),
            _gen1 = GC.CollectionCount(1),
            _gen2 = GC.CollectionCount(2),
            _paused = GC.GetTotalPauseDuration(),
        };

        public string Stop() => string.Create(CultureInfo.InvariantCulture,
            $"JIT {(System.Runtime.JitInfo.GetCompilationTime() - _jit).TotalSeconds:N1} s ({System.Runtime.JitInfo.GetCompiledMethodCount() - _methods:N0} methods), "
            + $"{GC.CollectionCount(0) - _gen0} GCs (of which gen 1 or 2: {GC.CollectionCount(1) - _gen1}, gen 2: {GC.CollectionCount(2) - _gen2}), paused {(GC.GetTotalPauseDuration() - _paused).TotalSeconds:N2} s");
    }

    public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>CPU seconds of this process and of the rest of the machine (from /proc/stat) over an interval.</summary>
    internal sealed class Cpu
    {
        private TimeSpan _own;
        private double _machine;

        public static Cpu Start() => new() { _own = Own(), _machine = Machine() };

        public (double Own, double Others) Stop()
        {
            var own = (Own() - _own).TotalSeconds;
            return (own, Math.Max(0, Machine() - _machine - own));
        }

        private static TimeSpan Own()
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }

        private static double Machine()
        {
            if (!File.Exists("/proc/stat"))
            {
                return 0;
            }

            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
            return (fields.Take(8).Sum() - fields[3] - fields[4]) / 100.0;
        }
    }
}
