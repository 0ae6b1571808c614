namespace Renewals.Cli.Tests;

/// <summary>
/// What System.CommandLine writes itself (help pages, errors in the command line) reads in the
/// language chosen with --lang, on one line for an error, with French typography. The expected
/// lines are written out here, not taken from the resources.
/// </summary>
public sealed class CliLanguageTests : IDisposable
{
    private const char Nbsp = '\u00A0';

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-cli-lang-" + Guid.NewGuid().ToString("N")[..12]);

    public CliLanguageTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public async Task The_french_help_page_has_no_english_left_and_puts_no_break_spaces_before_colons()
    {
        var output = new StringWriter();
        var code = await RenewalsCli.RunAsync(["--lang", "fr", "run", "--help"], output, new StringWriter(), environment: new Dictionary<string, string?>());
        var page = output.ToString();

        Assert.Equal(0, code);
        Assert.Contains($"Description{Nbsp}:", page, StringComparison.Ordinal);
        Assert.Contains($"Utilisation{Nbsp}:", page, StringComparison.Ordinal);
        Assert.Contains($"[par défaut{Nbsp}: 1000]", page, StringComparison.Ordinal);
        Assert.Contains("-?, -h, --help          Afficher l'aide et la façon d'utiliser la commande.", page, StringComparison.Ordinal);
        foreach (var english in new[] { "Show help", "default:", "Description:", "REQUIRED", "Usage" })
        {
            Assert.DoesNotContain(english, page, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch(@"\S [:;!?](\s|$)", page);
    }

    [Fact]
    public async Task The_english_help_page_keeps_the_librarys_words()
    {
        var run = await CliRun.InProcess("run", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("[default: 1000]", run.Output, StringComparison.Ordinal);
        Assert.Contains("Show help and usage information", run.Output, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_is_shown_even_when_the_settings_file_is_broken()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "appsettings.json"), "{ \"Renewals\": ");

        var run = await CliRun.AsProcessIn(_folder, "--lang", "fr", "accounts", "--help");

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        Assert.Contains("Utilisation :", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run --batch-size 1 2", "error: unknown command or argument '2'; 'renewals run --help' lists what is accepted.",
        "erreur : commande ou argument inconnu : « 2 » ; « renewals run --help » indique ce qui est accepté.")]
    [InlineData("acounts list", "error: unknown command or argument 'acounts'; 'renewals --help' lists what is accepted.",
        "erreur : commande ou argument inconnu : « acounts » ; « renewals --help » indique ce qui est accepté.")]
    [InlineData("", "error: say which command to run; 'renewals --help' lists them.",
        "erreur : précisez la commande à exécuter ; « renewals --help » les énumère.")]
    [InlineData("accounts show", "error: the command 'show' needs its argument id; see 'renewals accounts show --help'.",
        "erreur : la commande « show » attend son argument id ; voir « renewals accounts show --help ».")]
    [InlineData("run --format xml", "error: 'xml' is not accepted here; choose one of: table, json.",
        "erreur : « xml » n'est pas accepté ici ; choisissez parmi : table, json.")]
    [InlineData("run --batch-size", "error: --batch-size needs a value; see 'renewals run --help'.",
        "erreur : --batch-size attend une valeur ; voir « renewals run --help ».")]
    public async Task A_bad_command_line_is_one_line_in_the_users_language_and_exit_code_2(string args, string english, string french)
    {
        var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var inEnglish = await CliRun.InProcess(words);
        var inFrench = await CliRun.InProcess(["--lang", "fr", .. words]);

        Assert.Equal((2, english, ""), (inEnglish.ExitCode, inEnglish.Error.TrimEnd(), inEnglish.Output));
        Assert.Equal((2, french, ""), (inFrench.ExitCode, inFrench.Error.TrimEnd(), inFrench.Output));
        Assert.Single(inFrench.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void An_error_no_format_matches_is_kept_on_one_line_with_french_quotes_and_spaces()
    {
        var root = new System.CommandLine.RootCommand();
        var parsed = root.Parse([]);
        var text = new Text.CliText(System.Globalization.CultureInfo.GetCultureInfo("fr"));
        var message = "Le fichier n'existe pas : 'x.csv'.\n\tVoir l'aide.";

        Assert.Equal($"Le fichier n'existe pas{Nbsp}: «{Nbsp}x.csv{Nbsp}». Voir l'aide.", Text.CliHelp.Reword(message, parsed, text));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
