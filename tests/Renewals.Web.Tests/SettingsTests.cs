using System.Collections;
using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renewals.Core.Hosting;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Web.Tests;

/// <summary>The composition root's settings, the sign-in tables on both databases, and a bad setting at start.</summary>
public sealed class SettingsTests
{
    private static IConfiguration Configuration(IDictionary environment, string[] commandLine, Dictionary<string, string?>? json = null) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(json ?? [])
            .AddCommandLine(commandLine, RenewalsSettings.CommandLineSwitches)
            .AddRenewalsEnvironmentVariables(environment)
            .Build();

    private static T Options<T>(IConfiguration configuration)
        where T : class
    {
        using var provider = new ServiceCollection().AddRenewals(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }

    [Fact]
    public void Documented_variables_set_the_options_above_appsettings_and_below_the_command_line()
    {
        var environment = new Hashtable
        {
            ["RENEWALS_DB"] = "from-variable.db",
            ["RENEWALS_SMTP_HOST"] = "mail.example.com",
            ["RENEWALS_SMTP_PORT"] = "2525",
            ["RENEWALS_SMTP_TLS"] = "implicit",
            ["RENEWALS_MAIL_FROM"] = "Service renouvellements <renouvellements@vendor.example>",
            ["RENEWALS_PORTAL_URL"] = "https://renewals.example.com/",
            ["RENEWALS_PICKUP"] = "/var/spool/renewals",
            ["RENEWALS_DELIVERY_WORKERS"] = "3",
        };
        var json = new Dictionary<string, string?> { ["Renewals:Database"] = "from-appsettings.db", ["Renewals:Smtp:Port"] = "25", ["Renewals:TemplatesFolder"] = "/srv/templates" };

        var fromVariables = Options<RenewalsOptions>(Configuration(environment, [], json));
        Assert.Equal("from-variable.db", fromVariables.Database);
        Assert.Equal("https://renewals.example.com", fromVariables.PortalUrl);
        Assert.Equal("renouvellements@vendor.example", fromVariables.MailFromAddress);
        Assert.Equal("Service renouvellements", fromVariables.MailFromName);
        Assert.Equal("/var/spool/renewals", fromVariables.PickupFolder);
        Assert.Equal("/srv/templates", fromVariables.TemplatesFolder);
        Assert.Equal(3, fromVariables.DeliveryWorkers);
        var smtp = Options<SmtpOptions>(Configuration(environment, [], json));
        Assert.Equal(("mail.example.com", 2525, Core.Messaging.SmtpTls.Implicit), (smtp.Host, smtp.Port, smtp.Tls));

        Assert.Equal("from-command-line.db", Options<RenewalsOptions>(Configuration(environment, ["--db", "from-command-line.db"], json)).Database);
        Assert.Equal("from-appsettings.db", Options<RenewalsOptions>(Configuration(new Hashtable(), [], json)).Database);
        Assert.Equal("renewals.db", Options<RenewalsOptions>(Configuration(new Hashtable(), [])).Database);
    }

    [Fact]
    public void The_delivery_workers_setting_reaches_the_dispatchers_and_defaults_to_two()
    {
        static int Workers(IConfiguration configuration)
        {
            using var provider = new ServiceCollection().AddRenewals(configuration).BuildServiceProvider();
            return provider.GetRequiredService<Core.Messaging.MessageComposer>().Options.DeliveryWorkers;
        }

        Assert.Equal(2, Workers(Configuration(new Hashtable(), [])));
        Assert.Equal(1, Workers(Configuration(new Hashtable { ["RENEWALS_DELIVERY_WORKERS"] = "1" }, [])));
        Assert.Equal(3, Workers(Configuration(new Hashtable { ["RENEWALS_DELIVERY_WORKERS"] = "3" }, [])));
        Assert.Equal(16, Workers(Configuration(new Hashtable(), [], new() { ["Renewals:DeliveryWorkers"] = "16" })));
        Assert.Equal(4, Workers(Configuration(new Hashtable { ["RENEWALS_DELIVERY_WORKERS"] = "2" }, ["--Renewals:DeliveryWorkers=4"])));
    }

    [Theory]
    [InlineData("RENEWALS_SMTP_PORT", "abc", "RENEWALS_SMTP_PORT (Renewals:Smtp:Port) must be a whole number from 1 to 65535, not 'abc'.")]
    [InlineData("RENEWALS_SMTP_PORT", "70000", "RENEWALS_SMTP_PORT (Renewals:Smtp:Port) must be a whole number from 1 to 65535, not '70000'.")]
    [InlineData("RENEWALS_SMTP_TLS", "sometimes", "RENEWALS_SMTP_TLS (Renewals:Smtp:Tls) must be one of Auto, None, StartTls, Implicit, not 'sometimes'.")]
    [InlineData("RENEWALS_MAIL_FROM", "nobody", "RENEWALS_MAIL_FROM (Renewals:MailFrom) must be an email address such as \"Renewals <renewals@vendor.example>\", not 'nobody'.")]
    [InlineData("RENEWALS_PORTAL_URL", "ftp://files", "RENEWALS_PORTAL_URL (Renewals:PortalUrl) must be an http or https address such as http://localhost:5000, not 'ftp://files'.")]
    [InlineData("RENEWALS_ENGINE_INTERVAL", "0", "RENEWALS_ENGINE_INTERVAL (Renewals:Engine:IntervalMinutes) must be a whole number from 1 to 1440, not '0'.")]
    [InlineData("RENEWALS_DELIVERY_WORKERS", "0", "RENEWALS_DELIVERY_WORKERS (Renewals:DeliveryWorkers) must be a whole number from 1 to 16, not '0'.")]
    [InlineData("RENEWALS_DELIVERY_WORKERS", "17", "RENEWALS_DELIVERY_WORKERS (Renewals:DeliveryWorkers) must be a whole number from 1 to 16, not '17'.")]
    [InlineData("RENEWALS_DELIVERY_WORKERS", "two", "RENEWALS_DELIVERY_WORKERS (Renewals:DeliveryWorkers) must be a whole number from 1 to 16, not 'two'.")]
    [InlineData("RENEWALS_DEMO", "perhaps", "RENEWALS_DEMO (Renewals:Demo:Enabled) must be true or false, not 'perhaps'.")]
    public void A_bad_setting_is_refused_at_start_with_one_line_naming_it(string variable, string value, string message)
    {
        var configuration = Configuration(new Hashtable { [variable] = value }, []);
        using var provider = new ServiceCollection().AddRenewals(configuration).BuildServiceProvider();
        var error = Assert.Throws<SettingsException>(provider.CheckRenewalsSettings);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void The_API_limit_is_raised_only_by_its_setting_and_a_bad_value_is_refused_naming_it()
    {
        Assert.Null(RenewalsSettings.ApiRequestsPerMinute(Configuration(new Hashtable(), [])));
        Assert.Equal(100_000_000, RenewalsSettings.ApiRequestsPerMinute(Configuration(new Hashtable { ["RENEWALS_API_REQUESTS_PER_MINUTE"] = "100000000" }, [])));
        Assert.Equal(1_200, RenewalsSettings.ApiRequestsPerMinute(
            Configuration(new Hashtable { ["RENEWALS_API_REQUESTS_PER_MINUTE"] = "100000000" }, ["--Renewals:Api:RequestsPerMinute=1200"])));
        foreach (var bad in new[] { "0", "-5", "lots" })
        {
            var error = Assert.Throws<SettingsException>(() =>
                RenewalsSettings.ApiRequestsPerMinute(Configuration(new Hashtable { ["RENEWALS_API_REQUESTS_PER_MINUTE"] = bad }, [])));
            Assert.Equal($"RENEWALS_API_REQUESTS_PER_MINUTE (Renewals:Api:RequestsPerMinute) must be a whole number from 1 to 2147483647, not '{bad}'.", error.Message);
        }
    }

    [Fact]
    public async Task The_web_program_stops_on_a_bad_setting_with_one_line_and_exit_code_2_before_touching_the_database()
    {
        var folder = Path.Combine(Path.GetTempPath(), "renewals-web-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { WebApp.WebDll(), "--contentRoot", WebApp.WebProjectFolder(), "--urls", "http://127.0.0.1:0", "--Renewals:Database=" + Path.Combine(folder, "r.db") })
            {
                info.ArgumentList.Add(a);
            }

            info.Environment["RENEWALS_SMTP_PORT"] = "twenty-five";
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

            Assert.Equal(2, process.ExitCode);
            Assert.Equal("renewals web: RENEWALS_SMTP_PORT (Renewals:Smtp:Port) must be a whole number from 1 to 65535, not 'twenty-five'.", (await stderr).TrimEnd());
            Assert.False(File.Exists(Path.Combine(folder, "r.db")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_web_program_stops_on_an_appsettings_json_that_is_not_json_with_one_line_naming_where_it_breaks()
    {
        var folder = Path.Combine(Path.GetTempPath(), "renewals-web-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            // The content root holds the settings file: a comma missing at the end of line 2, so the
            // parser stops at the third character of line 3.
            var file = Path.Combine(folder, "appsettings.json");
            await File.WriteAllTextAsync(file, "{\n  \"Renewals\": { \"Database\": \"never.db\"\n  \"Smtp\": { \"Port\": 25 } }\n}\n");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
            foreach (var a in new[] { WebApp.WebDll(), "--contentRoot", folder, "--urls", "http://127.0.0.1:0" })
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

            Assert.Equal(2, process.ExitCode);
            Assert.Equal($"renewals web: the settings file {file} is not valid JSON (line 3, character 3): correct it or remove it; nothing was done.", (await stderr).TrimEnd());
            Assert.Equal(["appsettings.json"], Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task A_sign_in_bound_to_an_account_is_stored_with_its_role_on_both_databases(DatabaseProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        long accountId;
        await using (var db = test.Context())
        {
            var account = new Account { Name = "Fromagerie Dupont", Language = "fr", TimeZoneId = "Europe/Paris" };
            db.Accounts.Add(account);
            await db.SaveChangesAsync();
            accountId = account.Id;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Renewals:Database"] = test.Setting }).Build();
        var services = new ServiceCollection().AddRenewals(configuration);
        services.AddIdentityCore<WebUser>(o => o.Lockout.MaxFailedAccessAttempts = 5).AddRoles<WebRole>().AddEntityFrameworkStores<RenewalsDbContext>();
        await using var root = services.BuildServiceProvider();
        await using (var scope = root.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<WebRole>>();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<WebUser>>();
            Assert.True((await roles.CreateAsync(new WebRole(WebRoles.Customer))).Succeeded);
            var user = new WebUser { UserName = "compta@dupont.example", Email = "compta@dupont.example", AccountId = accountId, Language = "fr" };
            Assert.True((await users.CreateAsync(user, "Fromage-affiné-2027")).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, WebRoles.Customer)).Succeeded);
        }

        await using (var scope = root.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<WebUser>>();
            var stored = await users.FindByEmailAsync("compta@dupont.example");
            Assert.NotNull(stored);
            Assert.Equal(accountId, stored.AccountId);
            Assert.Equal("fr", stored.Language);
            Assert.True(await users.CheckPasswordAsync(stored, "Fromage-affiné-2027"));
            Assert.False(await users.CheckPasswordAsync(stored, "fromage-affiné-2027"));
            Assert.Equal([WebRoles.Customer], await users.GetRolesAsync(stored));
        }
    }
}
