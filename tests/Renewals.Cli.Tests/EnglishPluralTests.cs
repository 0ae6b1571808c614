using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Renewals.Core.Messaging;

namespace Renewals.Cli.Tests;

/// <summary>No "(s)" plurals in English either: a count is written so that it reads right for any number.</summary>
public sealed partial class EnglishPluralTests
{
    [Fact]
    public void No_english_command_line_string_or_template_writes_a_plural_in_brackets()
    {
        var resources = new ResourceManager("Renewals.Cli.Text.CliStrings", typeof(Renewals.Cli.RenewalsCli).Assembly)
            .GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!;
        var texts = resources.Cast<DictionaryEntry>().Select(e => ($"CliStrings {e.Key}", (string)e.Value!)).ToList();
        var templates = Path.Combine(TemplateLibrary.FromSetting(null).Directory, "en");
        texts.AddRange(Directory.GetFiles(templates).Select(f => (Path.GetFileName(f), File.ReadAllText(f))));

        Assert.True(texts.Count > 100, $"only {texts.Count} texts read");
        Assert.Empty(texts.Where(t => BracketPlural().IsMatch(t.Item2)).Select(t => t.Item1));
    }

    [Fact]
    public async Task Run_counts_its_batches_without_a_bracketed_plural()
    {
        var folder = Path.Combine(Path.GetTempPath(), "renewals-plural-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        try
        {
            var db = Path.Combine(folder, "book.db");
            await CliRun.InProcess("db", "migrate", "--db", db);

            var run = await CliRun.InProcess("run", "--db", db);

            Assert.Contains("0 done, 0 skipped, batches: 0.", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex(@"\w\((s|es)\)")]
    private static partial Regex BracketPlural();
}
