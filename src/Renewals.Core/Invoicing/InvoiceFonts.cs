using System.Collections.Concurrent;
using PdfSharp.Fonts;

namespace Renewals.Core.Invoicing;

/// <summary>
/// The typeface of invoice PDFs: DejaVu Sans, regular and bold, shipped inside this assembly
/// (see Fonts/LICENSE-DejaVu.txt) so that a server without fonts renders the same PDF as a
/// laptop. PDFsharp's Core build has no access to system fonts and needs such a resolver.
/// </summary>
internal sealed class InvoiceFonts : IFontResolver
{
    /// <summary>The family name the renderer asks for.</summary>
    public const string Family = "DejaVu Sans";

    private const string RegularFace = "DejaVuSans";
    private const string BoldFace = "DejaVuSans-Bold";

    private static readonly Lock Gate = new();
    private static bool _installed;

    private readonly ConcurrentDictionary<string, byte[]> _faces = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes these fonts PDFsharp's, once per process and safely from any thread. PDFsharp takes
    /// one resolver for the whole process and refuses a change after first use: a resolver set
    /// by the host before this runs is left in place.
    /// </summary>
    public static void Install()
    {
        if (Volatile.Read(ref _installed))
        {
            return;
        }

        lock (Gate)
        {
            if (_installed)
            {
                return;
            }

            GlobalFontSettings.FontResolver ??= new InvoiceFonts();
            Volatile.Write(ref _installed, true);
        }
    }

    /// <summary>Every family resolves to DejaVu Sans: it is the only typeface the product ships. Italic is simulated.</summary>
    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? BoldFace : RegularFace, mustSimulateBold: false, mustSimulateItalic: italic);

    public byte[]? GetFont(string faceName) => faceName is RegularFace or BoldFace
        ? _faces.GetOrAdd(faceName, Load)
        : null;

    private static byte[] Load(string faceName)
    {
        var name = $"Renewals.Core.Invoicing.Fonts.{faceName}.ttf";
        using var stream = typeof(InvoiceFonts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The font {name} is not embedded in {typeof(InvoiceFonts).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
