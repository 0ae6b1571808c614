using System.Diagnostics.CodeAnalysis;
using CsvHelper;
using Renewals.Domain;

namespace Renewals.Core.Import;

/// <summary>
/// One line of a CSV file: its number in the file (1 is the header), how many fields it had, each
/// field by its column's name, trimmed, and the columns whose field held a line break.
/// </summary>
internal sealed class CsvRow(int line, int fieldCount, IReadOnlyDictionary<string, string> values, IReadOnlyList<string> columnsWithLineBreak)
{
    public int Line => line;

    public int FieldCount => fieldCount;

    /// <summary>
    /// The columns whose field, as written, spans lines (a quoted field may). Read before trimming,
    /// so a break at either end counts: a quote opened in one field and closed in a later line can
    /// swallow whole lines into one field, and the line that remains may still look complete.
    /// </summary>
    public IReadOnlyList<string> ColumnsWithLineBreak => columnsWithLineBreak;

    /// <summary>The field under <paramref name="column"/>; empty when the line has no such field.</summary>
    public string this[string column] => values.GetValueOrDefault(column, "");
}

/// <summary>
/// The one CSV reader of the files Renewals takes in (a book to import, a bank statement): UTF-8
/// with or without a byte-order mark, comma-separated, a header line naming the columns (read
/// trimmed and in lower case), empty lines skipped, fields trimmed. A line it cannot parse (a
/// quote left open) ends the reading and <see cref="MalformedAt"/> names it, so each caller
/// words the fault its own way.
/// </summary>
internal sealed class CsvLines : IDisposable
{
    private readonly CsvReader _csv;

    public CsvLines(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Span.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        _csv = CsvReader.Create(bytes, new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            TrimWhitespace = true,
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
        });
        try
        {
            Header = [.. _csv.Headers.Select(h => h.Trim().ToLowerInvariant())];
        }
        catch (CsvFormatException)
        {
            MalformedAt = 1;
        }
    }

    /// <summary>The column names, trimmed and in lower case; empty when the header line itself cannot be read.</summary>
    public IReadOnlyList<string> Header { get; } = [];

    /// <summary>The line that could not be parsed, when one could not; reading stops there.</summary>
    public int? MalformedAt { get; private set; }

    /// <summary>The next line, or false at the end of the file or at a line that cannot be parsed.</summary>
    public bool TryRead([NotNullWhen(true)] out CsvRow? row)
    {
        row = null;
        if (MalformedAt is not null)
        {
            return false;
        }

        try
        {
            if (!_csv.Read())
            {
                return false;
            }

            var values = new Dictionary<string, string>(Header.Count, StringComparer.Ordinal);
            var broken = new List<string>();
            for (var i = 0; i < Header.Count && i < _csv.FieldCount; i++)
            {
                var value = _csv.GetString(i) ?? "";
                if (value.AsSpan().ContainsAny('\r', '\n'))
                {
                    broken.Add(Header[i]);
                }

                values[Header[i]] = value.Trim();
            }

            row = new CsvRow((int)_csv.LineNumber, _csv.FieldCount, values, broken);
            return true;
        }
        catch (CsvFormatException malformed)
        {
            MalformedAt = (int)Math.Max(1, malformed.LineNumber);
            return false;
        }
    }

    public void Dispose() => _csv.Dispose();
}

/// <summary>
/// The faults found in a file, each with its line, collected so that every one is reported at
/// once and nothing is stored while there is one; a rule of the domain that a field breaks
/// becomes a fault of that line and column, worded as the caller's errors are.
/// </summary>
internal sealed class LineErrors<TError>(Func<int, string?, DomainException, TError> ofRule) : List<TError>
{
    /// <summary>Parses one field; when it breaks a rule, the fault is collected and the default value returned.</summary>
    public T? Check<T>(int line, string? column, Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return parse();
        }
        catch (DomainException refused)
        {
            Add(ofRule(line, column, refused));
            return default;
        }
    }
}
