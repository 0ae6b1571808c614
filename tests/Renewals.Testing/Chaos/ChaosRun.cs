using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Testing.Chaos;

/// <summary>The size of a chaos run and where the programs it starts are.</summary>
public sealed record ChaosOptions
{
    public int Subscriptions { get; init; } = 2_000;

    /// <summary>SIGKILLs of random processes (engines and web hosts), each restarted.</summary>
    public int Kills { get; init; } = 5;

    public int Seed { get; init; } = 7;

    /// <summary>The simulated time: this many days from the book's day, in steps of <see cref="StepDays"/>.</summary>
    public int Days { get; init; } = 365;

    public int StepDays { get; init; } = 30;

    /// <summary>The engines' batch size (small batches: more transactions a kill can land in).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>The command line's build output (renewals.dll).</summary>
    public required string CliDll { get; init; }

    /// <summary>The web host's build output (Renewals.Web.dll) and its project folder (content root).</summary>
    public required string WebDll { get; init; }

    public required string WebContentRoot { get; init; }

    /// <summary>
    /// What the receiver hears (every type unless told). milestone.carried-out alone is one
    /// delivery per milestone; leaving it out keeps the small run within its time on a loaded machine.
    /// </summary>
    public IReadOnlyList<string> EventTypes { get; init; } = WebhookEventTypes.All;

    /// <summary>
    /// How long the end may go without delivering anything before the run counts what is left as
    /// stuck. The wait is bounded by progress, not in total: at full size the dispatchers still
    /// have about a million deliveries to make when the engines finish.
    /// </summary>
    public TimeSpan DrainStallTimeout { get; init; } = TimeSpan.FromMinutes(4);

    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>One fault the run caused: what, to which process, and when (seconds since the run began).</summary>
public sealed record Fault(string Kind, string Target, double At, double Until);

/// <summary>
/// The chaos run (issue 13): on a PostgreSQL cluster of its own, two engine processes
/// (<c>renewals run --as-of</c>, stepped through a simulated year) and two web hosts (each with
/// its mail dispatcher and webhook delivery) over the same book, an SMTP sink and a webhook
/// receiver on loopback in this process. While they work: SIGKILLs of random processes at
/// random points of the run (each restarted), one immediate restart of the PostgreSQL server,
/// the SMTP sink and the webhook receiver stopped and started again. Afterwards a ledger
/// compares what the database, the sink and the receiver hold with a clean run of the same
/// book (the engine in this process, no faults).
/// </summary>
public sealed class ChaosRun : IAsyncDisposable
{
    private const int Engines = 2;
    private const int WebHosts = 2;

    private readonly ChaosOptions _o;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _killedByUs = [];
    private readonly List<Fault> _faults = [];
    private readonly Process?[] _engines = new Process?[Engines];
    private readonly Process?[] _webs = new Process?[WebHosts];
    private readonly int[] _webPorts = [.. Enumerable.Range(0, WebHosts).Select(_ => LoopbackPorts.Free())];
    private readonly List<double> _loads = [];
    private readonly string _folder;
    private List<Instant> _asOfs = [];
    private TaskCompletionSource[] _stepDone = [];
    private int[] _stepFinishers = [];
    private volatile bool _stopping;
    private volatile bool _enginesDone;
    private int _crashRestarts;
    private int _engineRuns;
    private int _webStarts;
    private PostgresCluster? _cluster;
    private string _chaosSetting = "";
    private TestSmtpServer? _smtp;
    private HookSink? _hooks;

    private ChaosRun(ChaosOptions options)
    {
        _o = options;
        _random = new Random(options.Seed * 7919 + options.Kills);
        _folder = Path.Combine(Path.GetTempPath(), "renewals-chaos-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
    }

    /// <summary>Runs the whole thing and returns the ledger; the processes' logs stay in <see cref="ChaosLedger.Folder"/>.</summary>
    public static async Task<ChaosLedger> RunAsync(ChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var run = new ChaosRun(options);
        return await run.RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }

        _hooks?.Dispose();
    }

    private void Log(string line) => _o.Log($"[{_clock.Elapsed.TotalSeconds,7:F1} s] {line}");

    private async Task<ChaosLedger> RunAsync()
    {
        _cluster = await PostgresCluster.StartAsync();
        try
        {
            return await RunOnClusterAsync(_cluster);
        }
        finally
        {
            _stopping = true;
            KillAll();
            await _cluster.DisposeAsync();
        }
    }

    private async Task<ChaosLedger> RunOnClusterAsync(PostgresCluster cluster)
    {
        // The harness's own connections are not pooled: a pooled one would be dead after the
        // server's restart. The processes get the plain setting, as an operator would.
        var reference = RenewalsDatabase.FromSetting(await cluster.CreateDatabaseAsync() + ";Pooling=false");
        _chaosSetting = await cluster.CreateDatabaseAsync();
        var chaos = RenewalsDatabase.FromSetting(_chaosSetting + ";Pooling=false");
        await reference.MigrateAsync();
        await chaos.MigrateAsync();

        // The book stands on today's date, so the web hosts' own engines (on the real clock)
        // find nothing of the simulated year due before the engines' steps reach it.
        var today = SystemClock.Instance.GetCurrentInstant();
        var firstDay = today.InUtc().Date;
        // The first step is the book's own instant: the web hosts' engines run at once on the real
        // clock, and a step's as-of decides what is too late to do (a reminder whose renewal has
        // passed is skipped), so the clean run must take that step too.
        _asOfs = [today, .. Enumerable.Range(1, (_o.Days + _o.StepDays - 1) / _o.StepDays)
            .Select(i => EndOf(firstDay.PlusDays(Math.Min(i * _o.StepDays, _o.Days))))];
        _stepDone = [.. _asOfs.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        _stepFinishers = new int[_asOfs.Count];
        // Only the Message-IDs are kept: the run's tens of thousands of messages are not parsed whole.
        var smtp = _smtp = new TestSmtpServer(_clock, keepMessages: false);
        var hooks = _hooks = new HookSink(_clock);
        foreach (var database in new[] { reference, chaos })
        {
            await new DemoBook(database, new FakeClock(today)).GenerateAsync(_o.Subscriptions, _o.Seed);
            await AddEndpointAsync(database, hooks.Url, _o.EventTypes, today);
        }

        Log($"book of {_o.Subscriptions} subscriptions written twice; the clean run steps through {_asOfs.Count} as-of instants to {_asOfs[^1]}");
        var cleanWatch = Stopwatch.StartNew();
        var fake = new FakeClock(today);
        // Each step as `renewals run --as-of` takes it: the engine, then the collection pass, at the same instant,
        // for the placeholder vendor that the chaos side's processes have (they are given no seller settings).
        var book = BookRun.Over(reference, fake, Core.Invoicing.Seller.Default, new EngineOptions { BatchSize = 1000 });
        foreach (var asOf in _asOfs)
        {
            fake.Reset(asOf);
            await book.RunAsync(asOf);
        }

        var cleanSeconds = cleanWatch.Elapsed.TotalSeconds;

        var baseline = await Totals.OfAsync(chaos);
        var expected = await Totals.WrittenAsync(reference);
        Log($"clean run: {expected.Milestones - baseline.Milestones} milestones, {expected.Messages} messages, {expected.Webhooks} webhooks in {cleanSeconds:F0} s");

        await smtp.StartAsync();
        hooks.Start();
        var chaosWatch = Stopwatch.StartNew();
        var webSlots = Enumerable.Range(0, WebHosts).Select(WebSlotAsync).ToList();
        await Task.WhenAll(Enumerable.Range(0, WebHosts).Select(WaitServingAsync));
        Log("both web hosts serve; the engines start");
        var engineSlots = Enumerable.Range(0, Engines).Select(EngineSlotAsync).ToList();
        var enginesFinished = Task.WhenAll(engineSlots).ContinueWith(_ => _enginesDone = true, TaskScheduler.Default);
        var sampler = SampleLoadAsync();
        var puller = PullDeliveriesIntoThePresentAsync(chaos);

        await MonkeyAsync(chaos, baseline, expected.Milestones - baseline.Milestones);
        await enginesFinished;
        await puller;
        await Task.WhenAll(engineSlots);
        Log("the simulated year is done and every fault has happened; delivering what waits");
        var drained = await DrainAsync(chaos);
        var chaosSeconds = chaosWatch.Elapsed.TotalSeconds;

        _stopping = true;
        KillAll();
        await Task.WhenAll(webSlots);
        await sampler;
        await smtp.StopAsync();
        hooks.Stop();
        var sessions = await SessionsLeftAsync(cluster, chaos);
        int kills;
        lock (_gate)
        {
            kills = _faults.Count(f => f.Kind == "kill");
        }

        var run = new ChaosRunFacts(
            _o.Subscriptions, _o.Kills, kills, _asOfs.Count, _o.Days, _engineRuns, _webStarts, _crashRestarts, [.. _faults],
            drained, chaosSeconds, cleanSeconds, _loads.Count == 0 ? 0 : _loads.Max(), _loads.Count == 0 ? 0 : _loads.Average(),
            sessions.Open, sessions.IdleInTransaction, _folder);
        return await ChaosLedger.BuildAsync(run, reference, chaos, _asOfs[^1], [.. smtp.Accepted.Select(a => a with { Id = ChaosLedger.LeftOfAt(a.Id) })], hooks.Received, smtp.Refusals);
    }

    private static Instant EndOf(LocalDate day) => day.PlusDays(1).AtMidnight().InUtc().ToInstant() - Duration.Epsilon;

    /// <summary>The receiver's endpoint, in both databases alike.</summary>
    private static async Task AddEndpointAsync(RenewalsDatabase database, string url, IReadOnlyList<string> types, Instant now)
    {
        await using var db = database.CreateContext();
        db.WebhookEndpoints.Add(new WebhookEndpoint
        {
            Url = url,
            Secret = StandardWebhooks.NewSecret(),
            EventTypes = string.Join(",", WebhookEventTypes.All.Where(types.Contains)),
            Enabled = true,
            CreatedAt = now,
        });
        await db.SaveChangesAsync();
    }

    // --- the processes ------------------------------------------------------------------------

    /// <summary>One engine: <c>renewals run --as-of</c> each step of the simulated year, started again until it ends well.</summary>
    private async Task EngineSlotAsync(int slot)
    {
        for (var step = 0; step < _asOfs.Count; step++)
        {
            while (true)
            {
                var process = StartDotnet(_o.CliDll, $"engine{slot + 1}",
                [
                    "run", "--db", _chaosSetting, "--as-of", NodaTime.Text.InstantPattern.ExtendedIso.Format(_asOfs[step]),
                    "--batch-size", _o.BatchSize.ToString(CultureInfo.InvariantCulture), "--no-send",
                ], new Dictionary<string, string>());
                Interlocked.Increment(ref _engineRuns);
                _engines[slot] = process;
                await process.WaitForExitAsync();
                _engines[slot] = null;
                var code = process.ExitCode;
                var killed = WasKilled(process);
                process.Dispose();
                if (code == 0)
                {
                    break;
                }

                if (!killed)
                {
                    // Not one of ours: the database went away under it (the restart), say.
                    Interlocked.Increment(ref _crashRestarts);
                    Log($"engine{slot + 1} ended with exit code {code} at step {step + 1}; started again");
                }

                await Task.Delay(200);
            }

            if (Interlocked.Increment(ref _stepFinishers[step]) == Engines)
            {
                Log($"step {step + 1}/{_asOfs.Count} done (as of {_asOfs[step]})");
                _stepDone[step].SetResult();
            }

            await _stepDone[step].Task;
        }
    }

    /// <summary>One web host, started again whenever it ends until the run stops.</summary>
    private async Task WebSlotAsync(int slot)
    {
        while (!_stopping)
        {
            var process = StartDotnet(_o.WebDll, $"web{slot + 1}",
            [
                "--urls", $"http://127.0.0.1:{_webPorts[slot]}",
                "--contentRoot", _o.WebContentRoot,
                "--Renewals:Database=" + _chaosSetting,
                "--Renewals:Smtp:Host=127.0.0.1",
                "--Renewals:Smtp:Port=" + _smtp!.Port.ToString(CultureInfo.InvariantCulture),
                "--Renewals:Smtp:Tls=None",
                "--Renewals:Engine:DispatchSeconds=1",
                "--Renewals:PickupFolder=" + Path.Combine(_folder, "pickup"),
                "--Renewals:LettersFolder=" + Path.Combine(_folder, "letters"),
                "--Renewals:LicenceKey=" + Path.Combine(_folder, "licence-signing-key.pem"),
            ], new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                // The receiver listens on loopback, which an operator must allow.
                ["RENEWALS_WEBHOOK_PRIVATE_NETWORKS"] = "true",
            });
            Interlocked.Increment(ref _webStarts);
            _webs[slot] = process;
            await process.WaitForExitAsync();
            _webs[slot] = null;
            var killed = WasKilled(process);
            process.Dispose();
            if (_stopping)
            {
                return;
            }

            if (!killed)
            {
                Interlocked.Increment(ref _crashRestarts);
                Log($"web{slot + 1} ended on its own; started again");
            }

            await Task.Delay(100);
        }
    }

    private async Task WaitServingAsync(int slot)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            try
            {
                await http.GetAsync(new Uri($"http://127.0.0.1:{_webPorts[slot]}/signin"));
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(250);
            }
        }

        throw new TimeoutException($"web{slot + 1} did not answer within 3 minutes; see {_folder}/web{slot + 1}.log");
    }

    private Process StartDotnet(string dll, string name, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = Path.Combine(_folder, name + ".log");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"dotnet {dll} did not start");
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (_gate)
                {
                    File.AppendAllText(log, line + "\n");
                }
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Append($"--- started (pid {process.Id}) at {_clock.Elapsed.TotalSeconds:F1} s");
        return process;
    }

    private bool WasKilled(Process process)
    {
        lock (_gate)
        {
            return _killedByUs.Contains(process.Id);
        }
    }

    private void KillAll()
    {
        foreach (var process in _engines.Concat(_webs))
        {
            try
            {
                process?.Kill();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // Already gone.
            }
        }
    }

    // --- the faults ---------------------------------------------------------------------------

    /// <summary>
    /// Plans the faults at random points of the engines' progress (milestones carried out, against
    /// the clean run's count; the dispatchers follow a second behind) and causes each when the run gets there.
    /// </summary>
    private async Task MonkeyAsync(RenewalsDatabase chaos, Totals baseline, int goal)
    {
        List<string> kinds = [.. Enumerable.Repeat("kill", _o.Kills), "postgres-restart", "smtp-outage", "webhook-outage"];
        // One fault in each of as many equal stretches of the run, at a random point of its
        // stretch, the kinds in random order: spread over the whole run, never bunched at one end.
        var order = kinds.OrderBy(_ => _random.Next()).ToList();
        var plan = order.Select((k, i) => (Kind: k, Point: 0.04 + (0.88 * (i + _random.NextDouble()) / order.Count))).ToList();
        var lastProgress = -1;
        var stalledSince = Stopwatch.StartNew();
        foreach (var (kind, point) in plan)
        {
            while (true)
            {
                var progress = await ProgressAsync(chaos, baseline);
                if (progress != lastProgress)
                {
                    lastProgress = progress;
                    stalledSince.Restart();
                }

                // Once the engines are done, a run whose deliveries wait out a retry delay would
                // stall short of the point: the fault happens then, on what is left.
                if (progress >= point * goal || (_enginesDone && stalledSince.Elapsed > TimeSpan.FromSeconds(3)))
                {
                    break;
                }

                await Task.Delay(500);
            }

            // A random moment within the next half second: not in step with the polling.
            await Task.Delay(_random.Next(0, 500));
            switch (kind)
            {
                case "kill":
                    await KillOneAsync();
                    break;
                case "postgres-restart":
                    {
                        var at = _clock.Elapsed.TotalSeconds;
                        await _cluster!.RestartImmediatelyAsync();
                        Record(new Fault(kind, "postgresql", at, _clock.Elapsed.TotalSeconds));
                        break;
                    }

                case "smtp-outage":
                    {
                        var at = _clock.Elapsed.TotalSeconds;
                        await _smtp!.StopAsync();
                        await Task.Delay(_random.Next(1000, 3000));
                        await _smtp.StartAsync();
                        Record(new Fault(kind, "smtp sink", at, _clock.Elapsed.TotalSeconds));
                        break;
                    }

                default:
                    {
                        var at = _clock.Elapsed.TotalSeconds;
                        _hooks!.Stop();
                        await Task.Delay(_random.Next(1000, 3000));
                        _hooks.Start();
                        Record(new Fault(kind, "webhook receiver", at, _clock.Elapsed.TotalSeconds));
                        break;
                    }
            }
        }
    }

    /// <summary>SIGKILL to one process drawn at random among those running.</summary>
    private async Task KillOneAsync()
    {
        while (true)
        {
            var running = _engines.Select((p, i) => (Process: p, Name: $"engine{i + 1}"))
                .Concat(_webs.Select((p, i) => (Process: p, Name: $"web{i + 1}")))
                .Where(c => c.Process is { HasExited: false })
                .ToList();
            if (running.Count > 0)
            {
                var (process, name) = running[_random.Next(running.Count)];
                var at = _clock.Elapsed.TotalSeconds;
                try
                {
                    lock (_gate)
                    {
                        _killedByUs.Add(process!.Id);
                    }

                    process!.Kill(); // SIGKILL: no cleanup, no finally, no flush
                    Record(new Fault("kill", name, at, at));
                    return;
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // It ended between the choice and the kill: choose again.
                }
            }

            await Task.Delay(50);
        }
    }

    private void Record(Fault fault)
    {
        lock (_gate)
        {
            _faults.Add(fault);
        }

        Log($"{fault.Kind} {fault.Target} ({_faults.Count(f => f.Kind == fault.Kind)})");
    }

    private static async Task<int> ProgressAsync(RenewalsDatabase chaos, Totals baseline)
    {
        try
        {
            // Milestones alone: counting the outbox and the webhook deliveries too, ten times a
            // second, cost the server a core's worth of scans at full size.
            await using var db = chaos.CreateContext();
            return await db.Milestones.CountAsync(m => m.Status != MilestoneStatus.Pending) - baseline.Milestones;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The server is restarting: no progress to read for now.
            return -1;
        }
    }

    // --- the end ------------------------------------------------------------------------------

    /// <summary>
    /// Waits until no message and no webhook is left pending. A delivery that failed during a fault
    /// waits out its retry delay (a minute for mail, 30 s for webhooks, doubling): the harness
    /// brings those retries forward rather than wait, since the ledger counts what is delivered, not when.
    /// Gives up once nothing has been delivered for <see cref="ChaosOptions.DrainStallTimeout"/>.
    /// </summary>
    private async Task<bool> DrainAsync(RenewalsDatabase chaos)
    {
        var stalled = Stopwatch.StartNew();
        var sinceReport = Stopwatch.StartNew();
        var least = long.MaxValue;
        while (stalled.Elapsed < _o.DrainStallTimeout)
        {
            try
            {
                await using var db = chaos.CreateContext();
                var now = SystemClock.Instance.GetCurrentInstant();
                await MakeDueAsync(db, later: now, now);
                long messages = await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Pending);
                long webhooks = await db.WebhookDeliveries.CountAsync(d => d.Status == WebhookDeliveryStatus.Pending);
                if (messages + webhooks == 0)
                {
                    return true;
                }

                if (messages + webhooks < least)
                {
                    least = messages + webhooks;
                    stalled.Restart();
                }

                if (sinceReport.Elapsed >= TimeSpan.FromMinutes(1))
                {
                    Log($"still to deliver: {messages} messages, {webhooks} webhooks");
                    sinceReport.Restart();
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                // A connection the restart broke (EF wraps it as a transient failure): a new one next time.
            }

            await Task.Delay(1000);
        }

        return false;
    }

    /// <summary>Sessions on the chaos database once every process is gone: an abandoned transaction would hold its rows.</summary>
    private static async Task<(int Open, int IdleInTransaction)> SessionsLeftAsync(PostgresCluster cluster, RenewalsDatabase chaos)
    {
        var name = new Npgsql.NpgsqlConnectionStringBuilder(chaos.ConnectionString).Database!;
        Npgsql.NpgsqlConnection.ClearAllPools();
        var open = 0;
        var idle = 0;
        for (var i = 0; i < 50; i++)
        {
            await using var connection = new Npgsql.NpgsqlConnection(cluster.AdminConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                "SELECT count(*), count(*) FILTER (WHERE state LIKE 'idle in transaction%') FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()", connection);
            command.Parameters.AddWithValue("name", name);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            open = (int)reader.GetInt64(0);
            idle = (int)reader.GetInt64(1);
            if (open == 0)
            {
                break;
            }

            await Task.Delay(200);
        }

        return (open, idle);
    }

    /// <summary>
    /// The engines stamp what they write with their step's as-of, weeks ahead of the web hosts, whose
    /// dispatchers live on the real clock: a message written at a step is due then. So that mail and
    /// webhooks go out while the engines work and the faults happen (not only in the drain), the
    /// harness makes each such delivery due now, every second, until the engines are done. A retry's
    /// delay (a minute or so) is left alone: only what stands more than a day ahead is pulled.
    /// </summary>
    private async Task PullDeliveriesIntoThePresentAsync(RenewalsDatabase chaos)
    {
        while (!_enginesDone)
        {
            try
            {
                await using var db = chaos.CreateContext();
                var now = SystemClock.Instance.GetCurrentInstant();
                await MakeDueAsync(db, later: now + Duration.FromDays(1), now);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The server restarting (one of the faults): try again at the next second.
            }

            await Task.Delay(1000);
        }
    }

    /// <summary>Makes every pending message and webhook due <paramref name="now"/> that waits beyond <paramref name="later"/>.</summary>
    private static async Task MakeDueAsync(RenewalsDbContext db, Instant later, Instant now)
    {
        await db.Outbox.Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt > later).ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, now));
        await db.WebhookDeliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt > later).ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, now));
    }

    private async Task SampleLoadAsync()
    {
        while (!_stopping)
        {
            try
            {
                var first = (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0];
                _loads.Add(double.Parse(first, CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // Not Linux: no load average to report.
                return;
            }

            await Task.Delay(2000);
        }
    }
}

/// <summary>The run's counts that say how far it got: milestones carried out, messages and webhooks settled.</summary>
internal sealed record Totals(int Milestones, int Messages, int Webhooks)
{
    public static async Task<Totals> OfAsync(RenewalsDatabase database)
    {
        await using var db = database.CreateContext();
        return new Totals(
            await db.Milestones.CountAsync(m => m.Status != MilestoneStatus.Pending),
            await db.Outbox.CountAsync(m => m.Status != OutboxStatus.Pending),
            await db.WebhookDeliveries.CountAsync(d => d.Status != WebhookDeliveryStatus.Pending));
    }

    /// <summary>Milestones carried out, and every message and webhook written, settled or not (the clean run delivers nothing).</summary>
    public static async Task<Totals> WrittenAsync(RenewalsDatabase database)
    {
        await using var db = database.CreateContext();
        return new Totals(
            await db.Milestones.CountAsync(m => m.Status != MilestoneStatus.Pending),
            await db.Outbox.CountAsync(),
            await db.WebhookDeliveries.CountAsync());
    }
}
