using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Renewals.Testing;

/// <summary>One request the receiver got: its webhook headers and its body as sent.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string ContentType, string Body);

/// <summary>
/// A webhook receiver on loopback (HttpListener): records what it gets and answers with the
/// status codes it is told, in order (the last one for every further request).
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<int> _answers = new();
    private readonly List<ReceivedWebhook> _received = [];
    private readonly Task _loop;
    private int _last = 200;

    public WebhookReceiver(params int[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(answer);
        }

        var port = LoopbackPorts.Free();
        Url = $"http://127.0.0.1:{port}/hooks/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was closed under the pending GetContextAsync: that is how the loop ends.
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            int status;
            lock (_received)
            {
                _received.Add(new ReceivedWebhook(
                    context.Request.Headers["webhook-id"] ?? "", context.Request.Headers["webhook-timestamp"] ?? "",
                    context.Request.Headers["webhook-signature"] ?? "", context.Request.ContentType ?? "", body));
                status = _answers.Count > 0 ? _answers.Dequeue() : _last;
                _last = status;
            }

            context.Response.StatusCode = status;
            var answer = Encoding.UTF8.GetBytes(status >= 300 ? "receiver busy, try again later" : "thanks");
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }
}

/// <summary>
/// The independent check: the Standard Webhooks reference library (npm standardwebhooks 1.1.1,
/// pinned by tests/Renewals.Core.Tests/WebhookVerifier/package-lock.json, installed by test.sh
/// with npm ci) run by node on what the receiver got.
/// </summary>
public static class StandardWebhooksVerifier
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    /// <summary>The payload the library read when the signature holds; throws with its reason when not.</summary>
    public static async Task<JsonElement> VerifyAsync(ReceivedWebhook received, string secret, long receiverUnixSeconds)
    {
        ArgumentNullException.ThrowIfNull(received);
        var (ok, answer) = await RunAsync(received, secret, receiverUnixSeconds);
        Assert.True(ok, $"standardwebhooks refused delivery {received.Id}: {answer}");
        return answer.GetProperty("payload").Clone();
    }

    /// <summary>Whether the library accepts it, and what it said.</summary>
    public static async Task<(bool Ok, JsonElement Answer)> RunAsync(ReceivedWebhook received, string secret, long receiverUnixSeconds)
    {
        ArgumentNullException.ThrowIfNull(received);
        var folder = await FolderAsync();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("verify.js");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var input = JsonSerializer.Serialize(new
        {
            secret,
            headers = new Dictionary<string, string>
            {
                ["webhook-id"] = received.Id,
                ["webhook-timestamp"] = received.Timestamp,
                ["webhook-signature"] = received.Signature,
            },
            body = received.Body,
            now = receiverUnixSeconds,
        });
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (output.Length == 0)
        {
            throw new InvalidOperationException($"node verify.js said nothing (exit {process.ExitCode}): {error}");
        }

        var answer = JsonDocument.Parse(output).RootElement.Clone();
        return (answer.GetProperty("ok").GetBoolean(), answer);
    }

    /// <summary>The verifier's folder, with its locked packages installed (npm ci) if test.sh has not done it.</summary>
    private static async Task<string> FolderAsync()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Renewals.slnx")))
        {
            directory = directory.Parent;
        }

        var folder = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Renewals.slnx not found"), "tests", "Renewals.Core.Tests", "WebhookVerifier");
        await Install.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", "standardwebhooks")))
            {
                var npm = new ProcessStartInfo("npm") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
                {
                    npm.ArgumentList.Add(arg);
                }

                using var process = Process.Start(npm) ?? throw new InvalidOperationException("npm did not start");
                var error = process.StandardError.ReadToEndAsync();
                await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, $"npm ci in {folder} failed: {await error}");
            }
        }
        finally
        {
            Install.Release();
        }

        return folder;
    }
}
