using System.Diagnostics;
using System.Globalization;
using NodaTime;
using PdfSharp.Fonts;
using Renewals.Core.Invoicing;
using Renewals.Data.Model;

namespace Renewals.Bench;

/// <summary>
/// <c>--phase pdf</c>: what rendering one invoice PDF costs, alone (issue 15: the largest
/// per-message cost of delivery). The same two invoices (English, one line; French, three lines
/// and a purchase order) rendered in turn, after a warm-up; reports the process CPU time and the
/// managed bytes allocated per PDF (both hardly moved by other processes) with the wall time and
/// the PDF's size.
/// </summary>
internal static class PdfBench
{
    public const string Usage = """
        renewals-bench --phase pdf: the invoice PDF's rendering cost, alone.

          dotnet run -c Release --project bench/Renewals.Bench -- --phase pdf [--n N]

          --n N          PDFs rendered after the warm-up (default 2000)
          --fonts DIR    DejaVuSans.ttf and DejaVuSans-Bold.ttf read from DIR instead of the ones
                         Renewals.Core ships (to compare font files in the same build)
        """;

    public static Task<int> RunAsync(string[] args)
    {
        var n = 2000;
        string? fonts = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--n" when i + 1 < args.Length: n = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--fonts" when i + 1 < args.Length: fonts = args[++i]; break;
                case "--help" or "-h": throw new UsageException(Usage);
                default: throw new UsageException($"unknown option {args[i]}\n{Usage}");
            }
        }

        if (fonts is not null)
        {
            // Set before the first rendering: InvoiceFonts leaves a resolver the host set in place.
            GlobalFontSettings.FontResolver = new FileFonts(fonts);
        }

        var documents = Documents();
        for (var i = 0; i < 50; i++)
        {
            InvoicePdf.Render(documents[i % documents.Length]);
        }

        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "-";
        var watch = Stopwatch.StartNew();
        long bytes = 0;
        for (var i = 0; i < n; i++)
        {
            bytes += InvoicePdf.Render(documents[i % documents.Length]).Length;
        }

        watch.Stop();
        process.Refresh();
        var cpuPer = (process.TotalProcessorTime - cpu).TotalMilliseconds / n;
        var allocPer = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)n / 1024;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pdf: {n:N0} invoices rendered: CPU {cpuPer:N3} ms a PDF (process), wall {watch.Elapsed.TotalMilliseconds / n:N3} ms, allocated {allocPer:N1} KiB, size {bytes / (double)n / 1024:N1} KiB; load {load} -> {File.ReadAllText("/proc/loadavg").Trim()}"));
        return Task.FromResult(0);
    }

    private sealed class FileFonts(string directory) : IFontResolver
    {
        private readonly Dictionary<string, byte[]> _faces = new(StringComparer.Ordinal)
        {
            ["DejaVuSans"] = File.ReadAllBytes(Path.Combine(directory, "DejaVuSans.ttf")),
            ["DejaVuSans-Bold"] = File.ReadAllBytes(Path.Combine(directory, "DejaVuSans-Bold.ttf")),
        };

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(bold ? "DejaVuSans-Bold" : "DejaVuSans", mustSimulateBold: false, mustSimulateItalic: italic);

        public byte[]? GetFont(string faceName) => _faces.GetValueOrDefault(faceName);
    }

    private static InvoiceDocument[] Documents()
    {
        var period = new InvoicePeriod(new LocalDate(2027, 1, 15), new LocalDate(2028, 1, 15));
        var english = new InvoiceDocument("2027-000123", InvoiceKind.Renewal, new LocalDate(2027, 1, 15), new LocalDate(2027, 2, 14), period, "EUR",
            [new InvoiceDocumentLine("Renewals Analytics Professional", 12, period, 480m, 5760m)],
            5760m, 0.20m, 1152m, 6912m, Seller.Default, new BillTo("Ada Lovelace", "ada@example.com", "Northwind Traders Ltd",
                "1 Market Street\nLondon EC1A 1AA\nUnited Kingdom", "GB123456789"), null, "en");
        var french = new InvoiceDocument("2027-000124", InvoiceKind.Renewal, new LocalDate(2027, 1, 15), new LocalDate(2027, 2, 14), period, "EUR",
            [
                new InvoiceDocumentLine("Suite Comptabilité Entreprise", 25, period, 390m, 9750m),
                new InvoiceDocumentLine("Module Paie et Déclarations sociales", 10, period, 210m, 2100m),
                new InvoiceDocumentLine("Assistance prioritaire", 1, period, 1200m, 1200m),
            ],
            13050m, 0.20m, 2610m, 15660m, Seller.Default, new BillTo("Émilie Château", "emilie@exemple.fr", "Boulangeries Réunies SA",
                "12 avenue de l'Opéra\n75001 Paris", "FR12345678901"), "BC-2027-0042", "fr");
        return [english, french];
    }
}
