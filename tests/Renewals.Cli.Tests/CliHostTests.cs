namespace Renewals.Cli.Tests;

/// <summary>
/// The command line's host: settings from appsettings.json in the working folder, the RENEWALS_*
/// variables and --db, in that order of strength; a bad one stops the command with one line and
/// exit code 2 before anything is touched; standard output carries only what the command prints.
/// </summary>
public sealed class CliHostTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-cli-host-" + Guid.NewGuid().ToString("N")[..12]);

    public CliHostTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public async Task The_database_named_in_appsettings_json_is_the_one_set_up_and_nothing_but_the_command_is_printed()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "appsettings.json"), """{ "Renewals": { "Database": "from-settings.db" } }""");

        var run = await CliRun.AsProcessIn(_folder, "db", "migrate");

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(_folder, "from-settings.db")));
        Assert.False(File.Exists(Path.Combine(_folder, "renewals.db")));
        Assert.Equal($"Database ready: SQLite {Path.Combine(_folder, "from-settings.db")}.", run.Output.Trim());
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task A_bad_setting_in_appsettings_json_stops_the_command_with_one_line_and_exit_code_2()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "appsettings.json"), """{ "Renewals": { "Database": "never.db", "Smtp": { "Host": "127.0.0.1", "Port": "seventy" } } }""");

        var run = await CliRun.AsProcessIn(_folder, "db", "migrate");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: RENEWALS_SMTP_PORT must be a port number between 1 and 65535, not 'seventy'.", run.Error.Trim());
        Assert.Equal("", run.Output);
        Assert.False(File.Exists(Path.Combine(_folder, "never.db")));
    }

    [Fact]
    public async Task An_appsettings_json_that_is_not_json_stops_the_command_with_one_line_naming_where_it_breaks_in_the_users_language()
    {
        // A comma missing at the end of line 1: the parser stops at the third character of line 2.
        var file = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(file, "{ \"Renewals\": { \"Database\": \"never.db\"\n  \"Smtp\": { \"Port\": 25 } } }\n");

        var english = await CliRun.AsProcessIn(_folder, "db", "migrate");
        var french = await CliRun.AsProcessIn(_folder, "--lang", "fr", "accounts", "list");

        Assert.Equal(2, english.ExitCode);
        Assert.Equal($"error: the settings file {file} is not valid JSON (line 2, character 3): correct it or remove it; nothing was done.", english.Error.Trim());
        Assert.Equal("", english.Output);
        Assert.Equal(2, french.ExitCode);
        Assert.Equal($"erreur : le fichier de réglages {file} n'est pas du JSON valide (ligne 2, caractère 3) : corrigez ce fichier ou supprimez-le ; rien n'a été fait.", french.Error.Trim());
        Assert.False(File.Exists(Path.Combine(_folder, "never.db")));
        Assert.False(File.Exists(Path.Combine(_folder, "renewals.db")));
    }

    [Fact]
    public async Task Db_on_the_command_line_wins_over_RENEWALS_DB()
    {
        var fromVariable = Path.Combine(_folder, "variable.db");
        var fromOption = Path.Combine(_folder, "option.db");

        var run = await CliRun.InProcess(new NodaTime.Testing.FakeClock(CliRun.Today),
            new Dictionary<string, string?> { ["RENEWALS_DB"] = fromVariable }, "db", "migrate", "--db", fromOption);
        var byVariable = await CliRun.InProcess(new NodaTime.Testing.FakeClock(CliRun.Today),
            new Dictionary<string, string?> { ["RENEWALS_DB"] = fromVariable }, "db", "migrate");

        Assert.Equal((0, 0), (run.ExitCode, byVariable.ExitCode));
        Assert.Equal($"Database ready: SQLite {fromOption}.", run.Output.Trim());
        Assert.Equal($"Database ready: SQLite {fromVariable}.", byVariable.Output.Trim());
        Assert.True(File.Exists(fromOption));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
