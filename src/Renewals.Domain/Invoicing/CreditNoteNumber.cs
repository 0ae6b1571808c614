using System.Globalization;
using System.Text.RegularExpressions;

namespace Renewals.Domain.Invoicing;

/// <summary>
/// A credit-note number, <c>CN-2028-000001</c>: the year it was issued and its rank in that
/// year, in a sequence of its own (credit notes never take an invoice number).
/// </summary>
public readonly partial record struct CreditNoteNumber
{
    public const int MaxSequence = 999_999;

    public CreditNoteNumber(int year, int sequence)
    {
        if (year is < 1 or > 9999)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, "The year has four digits.");
        }

        if (sequence is < 1 or > MaxSequence)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"The sequence runs from 1 to {MaxSequence}.");
        }

        Year = year;
        Sequence = sequence;
    }

    public int Year { get; }

    public int Sequence { get; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"CN-{Year:D4}-{Sequence:D6}");

    public static bool TryParse(string? text, out CreditNoteNumber number)
    {
        number = default;
        var match = text is null ? null : Pattern().Match(text.Trim());
        if (match is not { Success: true })
        {
            return false;
        }

        var year = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var sequence = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        if (year < 1 || sequence < 1)
        {
            return false;
        }

        number = new CreditNoteNumber(year, sequence);
        return true;
    }

    [GeneratedRegex(@"^CN-(\d{4})-(\d{6})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
