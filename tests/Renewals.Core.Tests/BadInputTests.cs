using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Renewals.Core.Access;
using Renewals.Core.Import;
using Renewals.Core.Messaging;
using Renewals.Core.Payments;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteBadInputTests() : BadInputTests(DatabaseProvider.Sqlite);

public sealed class PostgresBadInputTests() : BadInputTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Generated bad input (FsCheck, shrinking on) against what reads files and text typed by
/// people: the CSV book import, bank statements and message templates. Every generated case
/// spoils a good input in at least one way that surely breaks it (and maybe others that may
/// not): the answer is a coded refusal, never another exception; nothing is stored (rows and
/// audit counted before and after); every reason is worded in English and in French, and the
/// two differ.
/// </summary>
public abstract class BadInputTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private const int Cases = 120;
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr");

    /// <summary>
    /// The words of our French texts that none of our English texts uses (four letters or more),
    /// read from every resource file of the repository: a French refusal uses some of them.
    /// </summary>
    private static readonly Lazy<HashSet<string>> FrenchWords = new(() =>
    {
        var files = Directory.EnumerateFiles(Path.Combine(Root(), "src"), "*.resx", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal)).ToList();
        HashSet<string> WordsOf(IEnumerable<string> resx) => [.. resx.SelectMany(f => System.Xml.Linq.XDocument.Load(f).Descendants("value").Select(v => v.Value))
            .SelectMany(Words).Where(w => w.Length >= 4)];
        var french = WordsOf(files.Where(f => f.EndsWith(".fr.resx", StringComparison.Ordinal)));
        french.ExceptWith(WordsOf(files.Where(f => !f.EndsWith(".fr.resx", StringComparison.Ordinal))));
        return french;
    });

    private static IEnumerable<string> Words(string text) => System.Text.RegularExpressions.Regex.Split(text, @"[^\p{L}]+").Select(w => w.ToLowerInvariant());

    // --- the book import ---------------------------------------------------------------------

    /// <summary>A way to spoil a good book file (cells are [row][column], row 0 the header).</summary>
    internal sealed record BookStep(string Kind, int Row, int Column, string Value)
    {
        public override string ToString() => $"{Kind} row {Row} column {Column} '{Show(Value)}'";
    }

    private static readonly string[] RequiredColumns = ["account", "language", "time_zone", "subscription", "start", "term_years", "product", "quantity"];

    private static Gen<BookStep> BookBreaks(int rows, List<string> header) =>
        from row in Gen.Choose(1, rows)
        from step in Gen.OneOf(
            Gen.Elements("2027-02-30", "30/01/2027", "2027-13-01", "tomorrow", "2027-1-5", "0000-00-00", "2023-02-29").Select(v => new BookStep("cell", row, Col(header, "start"), v)),
            Gen.Elements("-1", "0", "ten", "1.5", "", "99999999999", "1e3").Select(v => new BookStep("cell", row, Col(header, "quantity"), v)),
            Gen.Elements("0", "4", "-1", "x", "", "2.0").Select(v => new BookStep("cell", row, Col(header, "term_years"), v)),
            Gen.Elements("Mars/Base", "Europe/Pariss", "UTC+2", "").Select(v => new BookStep("cell", row, Col(header, "time_zone"), v)),
            Gen.Elements("xx", "french", "", "FR-fr-x").Select(v => new BookStep("cell", row, Col(header, "language"), v)),
            Gen.Elements("ZZZ-NONE", "", "dsn pro").Select(v => new BookStep("cell", row, Col(header, "product"), v)),
            Gen.Elements("maybe", "2", "oui!").Select(v => new BookStep("cell", row, Col(header, "requires_po"), v)),
            Gen.Elements("-0.5", "abc", "20%").Select(v => new BookStep("cell", row, Col(header, "vat_rate"), v)),
            Gen.Elements("monthly", "weekly").Select(v => new BookStep("cell", row, Col(header, "billing"), v)),
            Gen.Elements(RequiredColumns).Select(c => new BookStep("drop-header", 0, Col(header, c), "")),
            from column in Gen.Choose(0, header.Count - 1)
            from name in Gen.Elements("colour", "", "account", "ACCOUNT ", "💥")
            // A header the importer reads as the one it replaces (the same name in another case,
            // with spaces around it) breaks nothing: such a pick becomes a misspelling instead.
            select new BookStep("cell", 0, column, string.Equals(name.Trim(), header[column], StringComparison.OrdinalIgnoreCase) ? "acount" : name),
            Gen.Elements(",extra", ",,,,").Select(v => new BookStep("append", row, 0, v)),
            Gen.Constant(new BookStep("unclosed-quote", row, Col(header, "account"), "")),
            Gen.Constant(new BookStep("latin1", row, Col(header, "account"), "Société Générale")),
            Gen.Constant(new BookStep("empty-file", 0, 0, "")),
            Gen.Constant(new BookStep("utf16", 0, 0, "")),
            Gen.Constant(new BookStep("header-only", 0, 0, "")))
        select step;

    private static Gen<BookStep> BookNoise(int rows, List<string> header) =>
        from row in Gen.Choose(0, rows)
        from column in Gen.Choose(0, header.Count - 1)
        from value in Fuzz.NastyText
        from kind in Gen.Elements("cell", "cell", "quoted", "blank-line")
        select new BookStep(kind, row, column, value);

    [Fact]
    public async Task Generated_broken_book_files_are_refused_whole_with_every_error_named_in_both_languages()
    {
        await CatalogueAsync();
        var good = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "ImportCorpus", "good.csv"));
        var cells = good.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split(',').ToList()).ToList();
        var header = cells[0];
        // The file as it is imports: every refusal below is the generated steps' doing.
        Assert.True((await ImportBookAsync(Encoding.UTF8.GetBytes(good), dryRun: true)).IsValid);
        var before = await CountsAsync();

        await Fuzzing.CheckAsync(Fuzzing.Cases(BookBreaks(cells.Count - 1, header), BookNoise(cells.Count - 1, header)), Cases, async steps =>
        {
            var bytes = Spoil(cells, steps.OrderBy(s => s.Breaks).Select(s => s.What));
            var result = await ImportBookAsync(bytes, dryRun: false);
            Assert.False(result.Stored, Show(steps));
            Assert.NotEmpty(result.Errors);
            Assert.All(result.Errors, e => InBothLanguages(e.Describe(English), e.Describe(French), Show(steps)));
            Assert.Equal(before, await CountsAsync());
        });
    }

    private static byte[] Spoil(List<List<string>> good, IEnumerable<BookStep> steps)
    {
        var cells = good.Select(r => r.ToList()).ToList();
        var raw = new Dictionary<int, byte[]>();
        var blank = new HashSet<int>();
        foreach (var step in steps)
        {
            var row = Math.Min(step.Row, cells.Count - 1);
            var column = Math.Min(step.Column, cells[row].Count - 1);
            switch (step.Kind)
            {
                case "cell":
                    cells[row][column] = step.Value;
                    break;
                case "quoted":
                    cells[row][column] = "\"" + step.Value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                    break;
                case "blank-line":
                    blank.Add(row);
                    break;
                case "drop-header":
                    cells[0].RemoveAt(column);
                    break;
                case "append":
                    cells[row][^1] += step.Value;
                    break;
                case "unclosed-quote":
                    // On a copy of the line added last: a quote opened mid-file can be closed by a noise quote further down.
                    cells.Add([.. good[row].Select((cell, i) => i == column ? "\"" + cell : cell)]);
                    break;
                case "latin1":
                    cells[row][column] = step.Value;
                    raw[row] = Encoding.Latin1.GetBytes(string.Join(",", cells[row]));
                    break;
                case "empty-file":
                    return [];
                case "utf16":
                    return Encoding.Unicode.GetBytes(string.Join("\n", cells.Select(r => string.Join(",", r))));
                case "header-only":
                    cells.RemoveRange(1, cells.Count - 1);
                    break;
            }
        }

        using var file = new MemoryStream();
        for (var i = 0; i < cells.Count; i++)
        {
            file.Write(raw.GetValueOrDefault(i) ?? Encoding.UTF8.GetBytes(string.Join(",", cells[i])));
            file.Write("\n"u8);
            if (blank.Contains(i))
            {
                file.Write("\n"u8);
            }
        }

        return file.ToArray();
    }

    private async Task<ImportResult> ImportBookAsync(byte[] bytes, bool dryRun)
    {
        using var stream = new MemoryStream(bytes);
        return await new BookImport(Database.Database, Clock).ImportAsync(stream, dryRun, "fuzz");
    }

    // --- bank statements ---------------------------------------------------------------------

    internal sealed record StatementStep(string Kind, int Row, int Column, string Value)
    {
        public override string ToString() => $"{Kind} row {Row} column {Column} '{Show(Value)}'";
    }

    private static readonly string[] StatementGood =
    [
        "booked_on,amount,currency,reference,transaction_id",
        "2026-11-20,120.00,EUR,Payment INV-2026-000001,TX-1",
        "2026-11-21,45.50,EUR,Unknown payer,TX-2",
        "2026-11-22,10,GBP,Order 77,TX-3",
    ];

    private static Gen<StatementStep> StatementBreaks { get; } =
        from row in Gen.Choose(1, StatementGood.Length - 1)
        from step in Gen.OneOf(
            Gen.Elements("2026-02-30", "20/11/2026", "", "yesterday", "2026-11-20T10:00").Select(v => new StatementStep("cell", row, 0, v)),
            Gen.Elements("-5", "0", "abc", "1.234", "1e9", "", "1 000", "€12", "9999999999999", "NaN").Select(v => new StatementStep("cell", row, 1, v)),
            Gen.Elements("EURO", "", "€", "XXX1", "eu").Select(v => new StatementStep("cell", row, 2, v)),
            Gen.Elements("", " ", new string('r', 1000)).Select(v => new StatementStep("cell", row, 3, v)),
            Gen.Elements("", new string('t', 101)).Select(v => new StatementStep("cell", row, 4, v)),
            Gen.Constant(new StatementStep("repeat-transaction", row, 4, "")),
            Gen.Elements("date", "", "amount", "montant").Select(v => new StatementStep("cell", 0, 0, v)),
            Gen.Constant(new StatementStep("drop-header", 0, 3, "")),
            Gen.Constant(new StatementStep("unclosed-quote", row, 3, "")),
            Gen.Constant(new StatementStep("header-only", 0, 0, "")),
            Gen.Constant(new StatementStep("empty-file", 0, 0, "")))
        select step;

    private static Gen<StatementStep> StatementNoise { get; } =
        from row in Gen.Choose(1, StatementGood.Length - 1)
        from column in Gen.Choose(0, 4)
        from value in Fuzz.NastyText
        from kind in Gen.Elements("cell", "quoted", "append")
        select new StatementStep(kind, row, column, value);

    [Fact]
    public async Task Generated_broken_bank_statements_are_refused_whole_with_every_fault_named_in_both_languages()
    {
        var finance = new Actor.Finance("fiona");
        var before = await StatementCountsAsync();

        await Fuzzing.CheckAsync(Fuzzing.Cases(StatementBreaks, StatementNoise), Cases, async steps =>
        {
            var bytes = Encoding.UTF8.GetBytes(SpoilStatement(steps.OrderBy(s => s.Breaks).Select(s => s.What)));
            await using var db = Database.Context();
            var refused = await Assert.ThrowsAsync<StatementRefusedException>(() => new StatementImport(db, Clock, Invoicing.Seller.Default).ImportAsync(finance, "fuzz.csv", bytes));
            Assert.NotEmpty(refused.Errors);
            Assert.All(refused.Errors, e => InBothLanguages(e.Describe(English), e.Describe(French), Show(steps)));
            Assert.Equal(before, await StatementCountsAsync());
        });
    }

    private static string SpoilStatement(IEnumerable<StatementStep> steps)
    {
        var cells = StatementGood.Select(l => l.Split(',').ToList()).ToList();
        foreach (var step in steps)
        {
            var row = Math.Min(step.Row, cells.Count - 1);
            var column = Math.Min(step.Column, cells[row].Count - 1);
            switch (step.Kind)
            {
                case "cell":
                    cells[row][column] = step.Value;
                    break;
                case "quoted":
                    cells[row][column] = "\"" + step.Value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                    break;
                case "append":
                    cells[row][column] += step.Value;
                    break;
                case "repeat-transaction":
                    // Needs two data lines: a header-only step before it left none to repeat (and already breaks the file).
                    if (cells.Count > 2 && row > 0)
                    {
                        cells[row][4] = cells[row == 1 ? 2 : 1][4];
                    }

                    break;
                case "drop-header":
                    cells[0].RemoveAt(column);
                    break;
                case "unclosed-quote":
                    // On a copy of the line added last: a quote opened mid-file can be closed by a noise quote further down.
                    cells.Add([.. StatementGood[row].Split(',').Select((cell, i) => i == column ? "\"" + cell : cell)]);
                    break;
                case "header-only":
                    cells.RemoveRange(1, cells.Count - 1);
                    break;
                case "empty-file":
                    return "";
            }
        }

        return string.Join("\n", cells.Select(r => string.Join(",", r))) + "\n";
    }

    // --- message templates -------------------------------------------------------------------

    internal sealed record TemplateStep(TemplatePart Part, string Kind, double At, string Value)
    {
        public override string ToString() => $"{Kind} {Part} at {At:0.00} '{Show(Value)}'";
    }

    private static Gen<TemplateStep> TemplateBreaks { get; } =
        from part in Gen.Elements(TemplatePart.Subject, TemplatePart.Text, TemplatePart.Html)
        from step in Gen.OneOf(
            Gen.Elements(
                "{{ recipient.name ", "{% if days > %}", "{% endif %}", "{% for %}", "{% for x in %}{% endfor %}", "{% frobnicate %}", "{{ 10 | divided_by: 0 }}",
                "{% raw %}", "{% comment %}", "{{ | }}", "{% if %}", "{% assign = 1 %}", "{% endfor %}", "{% case %}{% when %}{% endcase %}",
                "{% for i in (1..100000000) %}x{% endfor %}", "{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}")
                .Select(v => new TemplateStep(part, "insert", 0, v)),
            Gen.Constant(new TemplateStep(part, "too-long", 0, "")))
        // At the very start or end: inside a branch the sample does not take, a failing filter would never run.
        from end in Gen.Elements(0.0, 1.0)
        select step with { At = end };

    private static Gen<TemplateStep> TemplateNoise { get; } =
        from part in Gen.Elements(TemplatePart.Subject, TemplatePart.Text, TemplatePart.Html)
        from at in Gen.Choose(0, 100).Select(p => p / 100.0)
        from value in Fuzz.NastyText
        from kind in Gen.Elements("insert", "replace")
        select new TemplateStep(part, kind, at, value);

    [Fact]
    public async Task Generated_broken_templates_are_refused_in_both_languages_and_nothing_is_stored()
    {
        var admin = new Actor.Admin("alice");
        var before = await TemplateCountsAsync();
        var kinds = Gen.Elements(MessageKinds.Reminder, MessageKinds.Welcome, TemplateLibrary.LayoutName);
        var cases = Arb.From(
            from kind in kinds
            from language in Gen.Elements("en", "fr")
            from steps in Fuzzing.Cases(TemplateBreaks, TemplateNoise).Generator
            select (kind, language, steps),
            c => Fuzzing.Cases(TemplateBreaks, TemplateNoise).Shrinker(c.steps).Select(s => (c.kind, c.language, s)));

        await Fuzzing.CheckAsync(cases, Cases, async c =>
        {
            await using var db = Database.Context();
            var templates = new TemplateAdminService(db, Clock, new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
            var detail = await templates.GetAsync(admin, c.kind, c.language);
            var draft = detail.Parts.ToDictionary(p => p.Part, p => p.Body);
            // Noise first: a step that surely breaks the template is never overwritten by one that may not.
            foreach (var step in c.steps.OrderBy(s => s.Breaks).Select(s => s.What))
            {
                var part = draft.ContainsKey(step.Part) ? step.Part : draft.Keys.First();
                var body = draft[part];
                var at = (int)(body.Length * step.At);
                draft[part] = step.Kind switch
                {
                    // One over the limit even when noise emptied the part first.
                    "too-long" => body + new string('x', TemplateAdminService.MaxBodyLength + 1),
                    "replace" => step.Value,
                    _ => body[..at] + step.Value + body[at..],
                };
            }

            var said = $"{c.kind}/{c.language}: {Show(c.steps)}";
            var saved = await Assert.ThrowsAsync<DomainException>(() => templates.SaveAsync(admin, c.kind, c.language, draft));
            var previewed = await Assert.ThrowsAsync<DomainException>(() => templates.PreviewAsync(admin, c.kind, c.language, draft));
            Assert.Equal(saved.Code, previewed.Code);
            InBothLanguages(saved.Describe(English), saved.Describe(French), said);
            Assert.Equal(before, await TemplateCountsAsync());
        });
    }

    // --- shared ------------------------------------------------------------------------------

    /// <summary>A reason worded in each language: not empty, not the same, the French one in French.</summary>
    private static void InBothLanguages(string english, string french, string said)
    {
        Assert.False(string.IsNullOrWhiteSpace(english), said);
        Assert.NotEqual(english, french);
        Assert.True(Words(french).Any(FrenchWords.Value.Contains), $"not French: {Show(french)} ({said})");
    }

    /// <summary>The repository's root: the folder holding Renewals.slnx above the test assembly.</summary>
    private static string Root()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Renewals.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Renewals.slnx not found above " + AppContext.BaseDirectory);
    }

    private static int Col(List<string> header, string name) => header.IndexOf(name);

    private static string Show(string text) => text.Length > 60 ? $"{text[..60]}... ({text.Length} chars)" : text;

    private static string Show<T>(IEnumerable<FuzzStep<T>> steps) => string.Join("; ", steps);

    /// <summary>The catalogue, advisor and partner good.csv names.</summary>
    private async Task CatalogueAsync()
    {
        await using var db = Database.Context();
        var design = new ProductFamily { Name = "Design" };
        design.Products.Add(new Product { Code = "DSN-PRO", Name = "Design Studio Pro", YearlyUnitPrice = 1200m, Currency = "EUR" });
        var analytics = new ProductFamily { Name = "Analytics" };
        analytics.Products.Add(new Product { Code = "ANL-CORE", Name = "Analytics Core", YearlyUnitPrice = 850m, Currency = "EUR" });
        db.ProductFamilies.AddRange(design, analytics);
        db.Advisors.Add(new Advisor { Name = "Camille Laurent", Email = "camille.laurent@vendor.example", Language = "fr" });
        var partner = new Partner { Name = "Northwind Resellers", Email = "renewals@northwind.example" };
        partner.Contracts.Add(new Data.Model.PartnerContract { NoticeDays = 90 });
        db.Partners.Add(partner);
        await db.SaveChangesAsync();
    }

    private async Task<(int, int, int, int, int, int, int)> CountsAsync()
    {
        await using var db = Database.Context();
        return (await db.Accounts.CountAsync(), await db.Contacts.CountAsync(), await db.Subscriptions.CountAsync(), await db.SubscriptionLines.CountAsync(),
            await db.Terms.CountAsync(), await db.Milestones.CountAsync(), await db.Audit.CountAsync());
    }

    private async Task<(int, int, int)> StatementCountsAsync()
    {
        await using var db = Database.Context();
        return (await db.StatementLines.CountAsync(), await db.Payments.CountAsync(), await db.Audit.CountAsync());
    }

    private async Task<(int, int)> TemplateCountsAsync()
    {
        await using var db = Database.Context();
        return (await db.MessageTemplateVersions.CountAsync(), await db.Audit.CountAsync());
    }
}
