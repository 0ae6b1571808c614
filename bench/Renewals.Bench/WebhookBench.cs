using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Bench;

/// <summary>
/// <c>--phase webhooks</c>: how fast the webhook outbox reaches a receiver on loopback. One
/// endpoint that hears every event type, a demo book of N subscriptions, the engine run once up to
/// --until (the events it writes wait as deliveries), then <see cref="WebhookDispatcher"/> over
/// them, D dispatchers at once on PostgreSQL (they share through FOR UPDATE SKIP LOCKED). The
/// receiver (<see cref="HookSink"/>) answers 204 to each request and counts them.
/// </summary>
internal static class WebhookBench
{
    public const string Usage = """
        renewals-bench --phase webhooks: the webhook outbox delivered to a receiver on loopback.

          dotnet run -c Release --project bench/Renewals.Bench -- --phase webhooks [options]

          --n N            subscriptions of the demo book (default 3000)
          --until DATE     the engine runs once as of the end of this day, ISO (default 2027-03-31)
          --provider P     sqlite (default) or postgres
          --pg CS          PostgreSQL connection string (the database is emptied: schema public dropped)
          --dispatchers D  dispatchers at once (PostgreSQL only; default 1)
          --work-dir DIR   the SQLite file goes here (default <temp>/renewals-bench-webhooks)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var (n, until, provider, pg, dispatchers, workDir) = PhaseOptions.Parse(args, Usage, "renewals-bench-webhooks");
        var database = await DeliveryBench.FreshDatabaseAsync(provider, pg, workDir);
        await using var sink = new HookSink();
        var today = new LocalDate(2026, 11, 26).AtMidnight().InUtc().ToInstant();
        await using (var db = database.CreateContext())
        {
            db.WebhookEndpoints.Add(new WebhookEndpoint
            {
                Url = $"http://127.0.0.1:{sink.Port}/hooks",
                Secret = StandardWebhooks.NewSecret(),
                EventTypes = string.Join(",", WebhookEventTypes.All),
                Enabled = true,
                CreatedAt = today,
            });
            await db.SaveChangesAsync();
        }

        await new DemoBook(database, new SettableClock(today)).GenerateAsync(n, 2027);
        await new RenewalEngine(database, new SettableClock(Instant.FromUtc(2026, 1, 1, 0, 0))).RunAsync(until.PlusDays(1).AtMidnight().InUtc().ToInstant());
        var now = today + Duration.FromHours(12);
        int waiting;
        await using (var db = database.CreateContext())
        {
            waiting = await db.WebhookDeliveries.CountAsync(d => d.Status == WebhookDeliveryStatus.Pending);
        }

        ProductBench.Log($"webhooks: {n:N0} subscriptions, {waiting:N0} deliveries waiting ({provider})");
        var options = new WebhookOptions { AllowPrivateNetworks = true };
        await using var services = new ServiceCollection().AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, ConnectCallback = WebhookNetwork.Connect(true) })
            .Services.BuildServiceProvider();
        var clients = services.GetRequiredService<IHttpClientFactory>();

        var load = DeliveryBench.Load();
        var cpu = DeliveryBench.Cpu.Start();
        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, dispatchers)
            .Select(_ => Task.Run(() => new WebhookDispatcher(database, clients, new SettableClock(now), options).DispatchAsync(now))));
        watch.Stop();
        var (own, others) = cpu.Stop();
        var taken = sink.Requests;
        ProductBench.Log($"dispatch ({dispatchers} dispatcher(s)): delivered {string.Join(" + ", results.Select(r => r.Delivered.ToString("N0", CultureInfo.InvariantCulture)))}, "
            + $"retrying {results.Sum(r => r.Retrying)}, failed {results.Sum(r => r.Failed)}; receiver took {taken:N0} in {watch.Elapsed.TotalSeconds:N1} s = {taken / watch.Elapsed.TotalSeconds:N0} /s, "
            + $"{own * 1000 / Math.Max(1, taken):N2} CPU ms a delivery; CPU bench {own:N1} s / other processes {others:N1} s; load average {load} -> {DeliveryBench.Load()}");
        await using (var db = database.CreateContext())
        {
            var left = await db.WebhookDeliveries.CountAsync(d => d.Status == WebhookDeliveryStatus.Pending);
            var attempts = await db.WebhookAttempts.CountAsync();
            ProductBench.Log($"left waiting: {left}; attempts logged: {attempts:N0} (one a delivery: no delivery sent twice)");
        }

        return 0;
    }

    /// <summary>An HTTP/1.1 receiver on loopback that answers 204 to every request (keep-alive) and counts them.</summary>
    private sealed class HookSink : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _connections = [];
        private readonly Task _accepting;
        private long _requests;

        public HookSink()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public long Requests => Interlocked.Read(ref _requests);

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                lock (_connections)
                {
                    _connections.Add(Task.Run(() => ServeAsync(client)));
                }
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            client.NoDelay = true;
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.Latin1, false, 64 * 1024);
            var answer = Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
            try
            {
                while (await reader.ReadLineAsync(_stop.Token) is { } requestLine)
                {
                    if (requestLine.Length == 0)
                    {
                        continue;
                    }

                    var length = 0;
                    while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 } header)
                    {
                        if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            length = int.Parse(header["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
                        }
                    }

                    // Latin-1 maps each byte to one char: the body is read as Content-Length chars.
                    var body = new char[length];
                    var read = 0;
                    while (read < length && await reader.ReadAsync(body.AsMemory(read), _stop.Token) is var got and > 0)
                    {
                        read += got;
                    }

                    Interlocked.Increment(ref _requests);
                    await stream.WriteAsync(answer, _stop.Token);
                }
            }
            catch (Exception error) when (error is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away: nothing to keep.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            Task[] open;
            lock (_connections)
            {
                open = [.. _connections];
            }

            await Task.WhenAll(open);
            _stop.Dispose();
        }
    }
}
