using System.Globalization;
using System.Resources;
using Renewals.Domain.Text;

namespace Renewals.Core.Import;

/// <summary>Why a book file, or one of its rows, is refused: a key of ImportStrings.</summary>
public enum ImportProblem
{
    FileEmpty,
    NoRows,
    Utf16,
    NotUtf8,
    Malformed,
    ColumnUnknown,
    ColumnMissing,
    ColumnRepeated,
    FieldCount,
    FieldLineBreak,
    Required,
    Date,
    LeapDay,
    Number,
    YesNo,
    Choice,
    AdvisorUnknown,
    PartnerUnknown,
    PartnerContracts,
    AccountExists,
    AccountDiffers,
    SubscriptionDiffers,
    ProductRepeated,

    /// <summary>A rule of the domain (time zone, language, term length, product, price...), worded by DomainStrings.</summary>
    Rule,
}

/// <summary>
/// One thing wrong with a book file: the line it starts on (1 is the header), the column
/// (null for the whole file or row) and the reason, worded in the reader's language.
/// </summary>
public sealed record ImportError(int Line, string? Column, ImportProblem Problem, string Code, IReadOnlyList<object> Arguments)
{
    private static readonly ResourceManager Resources = new("Renewals.Core.Import.ImportStrings", typeof(ImportError).Assembly);

    public static ImportError Of(int line, string? column, ImportProblem problem, params object[] arguments) =>
        new(line, column, problem, "Import." + problem, arguments);

    /// <summary>An error whose text is the domain's (<see cref="Renewals.Domain.DomainErrors"/>).</summary>
    public static ImportError Rule(int line, string? column, string domainCode, params object[] arguments) =>
        new(line, column, ImportProblem.Rule, domainCode, arguments);

    /// <summary>The reason alone.</summary>
    public string Reason(CultureInfo culture) => Problem == ImportProblem.Rule
        ? DomainText.Format(Code, culture, [.. Arguments])
        : string.Format(culture, Text(Code, culture), [.. Arguments]);

    /// <summary>"line 4, column start: ..." in the reader's language.</summary>
    public string Describe(CultureInfo culture) => Column is null
        ? string.Format(culture, Text("Import.AtLine", culture), Line, Reason(culture))
        : string.Format(culture, Text("Import.AtColumn", culture), Line, Column, Reason(culture));

    internal static string Text(string key, CultureInfo culture) =>
        Resources.GetString(key, culture) ?? throw new InvalidOperationException($"No text for '{key}'.");
}
