using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Web.Tests;

/// <summary>
/// The web application as it ships: its own build output started as a process on a free
/// Kestrel port, in demo mode over a throwaway SQLite file, and a headless Debian Chromium
/// (RENEWALS_CHROMIUM; the tests fail when it is missing, they never skip).
/// </summary>
public sealed class WebApp : IAsyncLifetime
{
    public const string Password = "Demo-renewals-2027";
    public const string French = "client.fr@example.com";
    public const string English = "client.en@example.com";

    private readonly DatabaseProvider _provider;
    private readonly string[] _settings = [];
    private readonly StringBuilder _log = new();
    private readonly Dictionary<string, string> _signedIn = new(StringComparer.Ordinal);
    private Process? _process;
    private TestDatabase? _database;
    private string? _postgresFolder;

    /// <summary>
    /// The application over a SQLite file, as every test of the shared group uses it. Many classes
    /// sign in through it from one address, so its sign-in form allows more than the default 10 tries
    /// a minute (SignInRateLimitTests proves the default on an application of its own).
    /// </summary>
    public WebApp()
        : this(DatabaseProvider.Sqlite, "--Renewals:RateLimits:SignInPerMinute=1000")
    {
    }

    /// <summary>
    /// The application over <paramref name="provider"/>: PostgreSQL on the tests' throwaway cluster.
    /// <paramref name="settings"/> come after the usual ones and win over them ("--Renewals:Demo:HistoryDays=120").
    /// </summary>
    internal WebApp(DatabaseProvider provider, params string[] settings)
    {
        _provider = provider;
        _settings = settings;
    }

    public DatabaseProvider Provider => _provider;

    public string BaseUrl { get; private set; } = "";

    public string Folder { get; private set; } = "";

    public RenewalsDatabase Database => _database!.Database;

    public IPlaywright Playwright { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>
    /// The folder where the browser tests keep a screenshot of each page they check, for a person
    /// to look through: the one RENEWALS_SCREENSHOTS names, or none when it is not set (./test.sh
    /// keeps none: a full-page screenshot costs 0.2 to 1 s of CPU, and nothing reads them there).
    /// </summary>
    public static string? Screenshots { get; } =
        Environment.GetEnvironmentVariable("RENEWALS_SCREENSHOTS") is { Length: > 0 } folder ? Path.GetFullPath(folder) : null;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("RENEWALS_CHROMIUM");
        if (string.IsNullOrEmpty(chromium) || !File.Exists(chromium))
        {
            throw new InvalidOperationException("RENEWALS_CHROMIUM must name Debian's Chromium (./test.sh sets it to `command -v chromium`).");
        }

        if (Screenshots is not null)
        {
            Directory.CreateDirectory(Screenshots);
        }

        // Playwright's expectations wait 5 s by default. In ./test.sh, the CLI's engines share the
        // 2 cores, and a form's answer took longer twice ("p.done" not found, the form still shown).
        Assertions.SetDefaultExpectTimeout(20_000);

        _database = await TestDatabase.CreateAsync(_provider);
        if (_provider == DatabaseProvider.Sqlite)
        {
            Folder = Path.GetDirectoryName(Database.SqliteFile!)!;
        }
        else
        {
            // No file to sit beside: the application's folders (pickup, key, letters) go in a folder of this run's own.
            _postgresFolder = Path.Combine(Path.GetTempPath(), "renewals-web-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(_postgresFolder);
            Folder = _postgresFolder;
        }

        var port = LoopbackPorts.Free();
        BaseUrl = $"http://127.0.0.1:{port}";
        List<string> args = [
            "--urls", BaseUrl,
            "--contentRoot", WebProjectFolder(),
            "--Renewals:Database=" + (Database.SqliteFile ?? Database.ConnectionString),
            "--Renewals:PickupFolder=" + Path.Combine(Folder, "pickup"),
            "--Renewals:LicenceKey=" + Path.Combine(Folder, "licence-signing-key.pem"),
            "--Renewals:Demo:Enabled=true",
            "--Renewals:Demo:Subscriptions=150",
            "--Renewals:Demo:HistoryDays=400",
        ];
        if (_postgresFolder is not null)
        {
            args.Add("--Renewals:LettersFolder=" + Path.Combine(Folder, "letters"));
        }

        args.AddRange(_settings);

        _process = Start(WebDll(), args);
        await WaitUntilServingAsync();

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A browser page signed in as <paramref name="email"/> (signing in once per user: the sign-in form is rate-limited).</summary>
    /// <param name="landing">Where the sign-in sends this user: customers to /portal, advisors to /advisor, partners to /partner.</param>
    public async Task<IPage> SignedInPageAsync(string email, string acceptLanguage = "en-GB", string landing = "**/portal")
    {
        var state = await SignedInStateAsync(email, acceptLanguage, landing);
        var signedIn = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, StorageState = state, Locale = acceptLanguage, AcceptDownloads = true });
        return await signedIn.NewPageAsync();
    }

    private async Task<string> SignedInStateAsync(string email, string acceptLanguage, string landing)
    {
        if (!_signedIn.TryGetValue(email, out var state))
        {
            await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, Locale = acceptLanguage });
            var page = await context.NewPageAsync();
            await SignInAsync(page, email, Password);
            await page.WaitForURLAsync(landing);

            state = await context.StorageStateAsync();
            _signedIn[email] = state;
        }

        return state;
    }

    /// <summary>An HTTP client carrying <paramref name="email"/>'s sign-in cookies, following no redirect (to see each answer as it is).</summary>
    public async Task<HttpClient> SignedInClientAsync(string email, string landing)
    {
        var state = await SignedInStateAsync(email, "en-GB", landing);
        var cookies = new CookieContainer();
        using var json = System.Text.Json.JsonDocument.Parse(state);
        foreach (var c in json.RootElement.GetProperty("cookies").EnumerateArray())
        {
            cookies.Add(new System.Net.Cookie(c.GetProperty("name").GetString()!, c.GetProperty("value").GetString(), c.GetProperty("path").GetString(), c.GetProperty("domain").GetString()));
        }

        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }, disposeHandler: true) { BaseAddress = new Uri(BaseUrl) };
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="source"/> (any 127.x address is this machine):
    /// a test of a per-address rate limit gets a window no other test shares. Clients given the same
    /// <paramref name="cookies"/> share an antiforgery cookie; no <paramref name="acceptLanguage"/> leaves it to each request.</summary>
    public HttpClient ClientFrom(IPAddress source, string? acceptLanguage = "en-GB", CookieContainer? cookies = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = cookies ?? new CookieContainer(),
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(BaseUrl) };
        if (acceptLanguage is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        }

        return client;
    }

    public async Task<IPage> AnonymousPageAsync(string acceptLanguage = "en-GB")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, Locale = acceptLanguage });
        return await context.NewPageAsync();
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/signin");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("form.form button[type=submit]");
    }

    /// <summary>The account the demo bound a sign-in to, read from the database.</summary>
    public async Task<long> AccountOfAsync(string email)
    {
        await using var db = Database.CreateContext();
        return await db.Users.Where(u => u.Email == email).Select(u => u.AccountId!.Value).SingleAsync();
    }

    /// <summary>
    /// Clicks the page's language switch and waits for the page it comes back to. That page has the
    /// same address, so waiting for the address would not wait (and once hung until its timeout):
    /// the document is marked first, and the wait is for an unmarked one in <paramref name="language"/>.
    /// </summary>
    public static async Task SwitchLanguageAsync(IPage page, string language)
    {
        await page.EvaluateAsync("() => { document.documentElement.dataset.beforeSwitch = '1'; }");
        await page.ClickAsync($"form.language button[value={language}]");
        await Assertions.Expect(page.Locator("html:not([data-before-switch])")).ToHaveAttributeAsync("lang", language);
    }

    /// <summary>A screenshot of <paramref name="page"/> named <paramref name="name"/>, the whole page or what the window shows, when <see cref="Screenshots"/> names a folder.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (Screenshots is not null)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = fullPage });
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (_postgresFolder is not null && Directory.Exists(_postgresFolder))
        {
            Directory.Delete(_postgresFolder, recursive: true);
        }
    }

    /// <summary>The repository's root: the folder holding Renewals.slnx above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Renewals.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Renewals.slnx not found above " + AppContext.BaseDirectory);
    }

    public static string WebProjectFolder() => Path.Combine(RepositoryRoot(), "src", "Renewals.Web");

    /// <summary>The web project's own build output, in the configuration these tests were built in.</summary>
    public static string WebDll()
    {
        // .../tests/Renewals.Web.Tests/bin/Release/net10.0/ -> Release
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(WebProjectFolder(), "bin", configuration, "net10.0", "Renewals.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build src/Renewals.Web first", dll);
    }

    public Process Start(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The tests' webhook receivers listen on loopback, which an operator must allow.
        info.Environment["RENEWALS_WEBHOOK_PRIVATE_NETWORKS"] = "true";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"The web application stopped with exit code {_process.ExitCode}:\n{Log}");
            }

            try
            {
                if ((await http.GetAsync(BaseUrl + "/signin")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet: the demo book is still being written.
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"The web application did not answer within {StartTimeout.TotalMinutes} minutes:\n" + Log);
    }

    /// <summary>How long the demo book may take to be written: longer on PostgreSQL, where each engine day is a round of network calls.</summary>
    private TimeSpan StartTimeout => TimeSpan.FromMinutes(_provider == DatabaseProvider.Sqlite ? 4 : 8);
}

[CollectionDefinition(Name)]
public sealed class WebAppGroup : ICollectionFixture<WebApp>
{
    public const string Name = "web application";
}
