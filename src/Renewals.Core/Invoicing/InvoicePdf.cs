using System.Globalization;
using NodaTime;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Renewals.Core.Invoicing;

/// <summary>
/// Renders an <see cref="InvoiceDocument"/> as an A4 PDF in the bill-to contact's language:
/// seller and bill-to blocks (the buyer's billing address and VAT number), the invoice's dates
/// and purchase order, the lines table (carried over as many pages as it needs, its header
/// repeated), totals with VAT, payment terms with the late-payment penalties and the fixed
/// recovery indemnity (ADR 007).
/// </summary>
public static class InvoicePdf
{
    /// <summary>The fixed indemnity for recovery costs owed by a late business payer, in euros (France, art. L441-10 and D441-5 Code de commerce).</summary>
    public const decimal RecoveryIndemnityEur = 40m;

    public static byte[] Render(InvoiceDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var culture = InvoiceFormat.Culture(doc.Language);
        string T(string key, params object[] arguments) => InvoiceFormat.Text(key, culture, arguments);
        var days = NodaTime.Period.Between(doc.IssuedOn, doc.DueOn, PeriodUnits.Days).Days;
        List<(string, string, bool)> particulars =
        [
            (T("Label.Number"), doc.Number, true),
            (T("Label.IssuedOn"), InvoiceFormat.Date(doc.IssuedOn, culture), false),
            (T("Label.DueOn"), InvoiceFormat.Date(doc.DueOn, culture), true),
            (T("Label.Period"), InvoiceFormat.Period(doc.Period, culture), false),
            (T("Label.PurchaseOrder"), doc.PurchaseOrderNumber ?? T("NoPurchaseOrder"), doc.PurchaseOrderNumber is not null),
            (T("Label.Currency"), doc.Currency, false),
        ];
        List<string> terms =
        [
            T("PaymentTerms", InvoiceFormat.Date(doc.DueOn, culture), days, doc.Number),
            T("PaymentTerms.LatePayment", InvoiceFormat.Money(RecoveryIndemnityEur, "EUR", culture)),
            doc.PurchaseOrderNumber is { } po ? T("PaymentTerms.PurchaseOrder", po) : T("PaymentTerms.NoPurchaseOrder"),
        ];
        if (doc.Replaces is { } replaced)
        {
            particulars.Insert(1, (T("Label.Replaces"), replaced, false));
            terms.Add(T("Replaces", replaced));
        }

        return Render(new Sheet(
            T("Title"), InvoiceFormat.Kind(doc.Kind, doc.Period, culture), doc.Number, culture, doc.Currency, doc.Lines, doc.Net, doc.VatRate, doc.VatAmount, doc.Total,
            doc.Seller, doc.BillTo, doc.BillTo.AccountName, particulars, terms));
    }

    /// <summary>What an invoice or a credit note prints, already worded in its language.</summary>
    internal sealed record Sheet(
        string Title,
        string Subtitle,
        string Number,
        CultureInfo Culture,
        string Currency,
        IReadOnlyList<InvoiceDocumentLine> Lines,
        decimal Net,
        decimal VatRate,
        decimal VatAmount,
        decimal Total,
        Seller Seller,
        BillTo BillTo,
        string Subject,
        IReadOnlyList<(string Label, string Value, bool Strong)> Particulars,
        IReadOnlyList<string> Terms);

    internal static byte[] Render(Sheet doc)
    {
        InvoiceFonts.Install();
        using var document = new PdfDocument();
        // Deflate's fastest level: an invoice renders in about 2.8 ms instead of 3.7 and weighs
        // about 31 KB instead of 25 (measured in session 29, docs/performance.md); most of the
        // file is the embedded font subset. Sent copies keep only the attachments' names, so the
        // database does not grow: the larger file costs on the wire, in the pickup folder's .eml
        // files and in downloads.
        document.Options.FlateEncodeMode = PdfFlateEncodeMode.BestSpeed;
        document.Info.Title = doc.Number;
        document.Info.Author = doc.Seller.Name;
        document.Info.Subject = doc.Subject;

        var layout = new Layout(document, doc);
        layout.Draw();

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>One rendering: the pen position, the current page and the fonts.</summary>
    private sealed class Layout(PdfDocument document, Sheet doc)
    {
        private const double Left = 50;
        private const double Right = 545;
        private const double Top = 50;
        private const double ContentBottom = 775;
        private const double FooterY = 800;
        private const double CellPadding = 4;

        private static readonly XColor Grey = XColor.FromArgb(110, 110, 110);
        private static readonly XColor Rule = XColor.FromArgb(200, 200, 200);
        private static readonly XColor Shade = XColor.FromArgb(236, 236, 236);

        private static readonly Column[] Columns =
        [
            new("Column.Description", 50, 140, Alignment.Left),
            new("Column.Period", 195, 165, Alignment.Left),
            new("Column.Quantity", 362, 33, Alignment.Right),
            new("Column.UnitPrice", 398, 70, Alignment.Right),
            new("Column.Amount", 470, 75, Alignment.Right),
        ];

        private readonly CultureInfo _culture = doc.Culture;
        private readonly XFont _title = Font(22, bold: true);
        private readonly XFont _heading = Font(13, bold: true);
        private readonly XFont _strong = Font(10, bold: true);
        private readonly XFont _body = Font(10, bold: false);
        private readonly XFont _small = Font(8.5, bold: false);
        private readonly XFont _smallBold = Font(8.5, bold: true);
        private readonly XFont _totalFont = Font(11, bold: true);
        private readonly List<PdfPage> _pages = [];

        private XGraphics? _graphics;
        private double _y;

        private XGraphics G => _graphics ?? throw new InvalidOperationException("No page started.");

        public void Draw()
        {
            NewPage(first: true);
            DrawHeading();
            DrawParties();
            DrawLines();
            DrawTotals();
            _graphics?.Dispose();
            _graphics = null;
            DrawFooters();
        }

        private string T(string key) => InvoiceFormat.Text(key, _culture);

        private string T(string key, params object[] arguments) => InvoiceFormat.Text(key, _culture, arguments);

        private string Money(decimal amount) => InvoiceFormat.Money(amount, doc.Currency, _culture);

        private void NewPage(bool first)
        {
            _graphics?.Dispose();
            var page = document.AddPage();
            page.Size = PageSize.A4;
            _pages.Add(page);
            _graphics = XGraphics.FromPdfPage(page);
            _y = Top;
            if (!first)
            {
                // A carried-over page says whose invoice it continues.
                Text(doc.Seller.Name, _strong, Left, _y, 250);
                TextRight($"{doc.Title} {doc.Number}", _strong, Right, _y);
                _y += 16;
                HorizontalRule(_y);
                _y += 12;
            }
        }

        private void DrawHeading()
        {
            var left = _y;
            Text(doc.Seller.Name, _heading, Left, left, 280);
            left += 18;
            foreach (var line in doc.Seller.Address.Append(T("Seller.VatNumber", doc.Seller.VatNumber)).Append(doc.Seller.Email))
            {
                Text(line, _small, Left, left, 280);
                left += 11;
            }

            var right = _y;
            TextRight(doc.Title.ToUpper(_culture), _title, Right, right);
            right += 28;
            TextRight(doc.Subtitle, _body, Right, right);
            right += 14;
            TextRight(doc.Number, _strong, Right, right);
            right += 14;

            _y = Math.Max(left, right) + 18;
        }

        private void DrawParties()
        {
            // Bill-to on the left, the invoice's particulars on the right.
            var boxTop = _y;
            var left = boxTop + 8;
            Text(T("Label.BillTo"), _smallBold, Left + 8, left, 220, Grey);
            left += 14;
            left = Paragraph(doc.BillTo.ContactName, _strong, Left + 8, left, 220, 13);
            left = Paragraph(doc.BillTo.AccountName, _body, Left + 8, left, 220, 13);
            foreach (var line in doc.BillTo.AddressLines)
            {
                left = Paragraph(line, _body, Left + 8, left, 220, 13);
            }

            if (doc.BillTo.VatNumber is { } vat)
            {
                left = Paragraph(T("BillTo.VatNumber", vat), _body, Left + 8, left, 220, 13);
            }

            left = Paragraph(doc.BillTo.Email, _body, Left + 8, left, 220, 13);
            left += 6;

            var right = boxTop + 8;
            foreach (var (label, value, strong) in doc.Particulars)
            {
                Text(label, _small, 300, right + 1, 100, Grey);
                right = Paragraph(value, strong ? _strong : _body, 400, right, Right - 400, 13) + 2;
            }

            var bottom = Math.Max(left, right);
            G.DrawRectangle(new XPen(Rule, 0.75), Left, boxTop, 235, bottom - boxTop);
            _y = bottom + 22;
        }

        private void DrawLines()
        {
            DrawTableHeader();
            foreach (var line in doc.Lines)
            {
                string[] values =
                [
                    line.Description,
                    InvoiceFormat.Period(line.Period, _culture),
                    InvoiceFormat.Quantity(line.Quantity, _culture),
                    Money(line.UnitPrice),
                    Money(line.Amount),
                ];
                var wrapped = values.Select((v, i) => Wrap(v, _small, Columns[i].Width)).ToArray();
                var height = (wrapped.Max(w => w.Count) * 11) + (2 * CellPadding);
                if (_y + height > ContentBottom)
                {
                    TextRight(T("Continued"), _small, Right, _y + 4, Grey);
                    NewPage(first: false);
                    DrawTableHeader();
                }

                for (var i = 0; i < Columns.Length; i++)
                {
                    var lineY = _y + CellPadding;
                    foreach (var part in wrapped[i])
                    {
                        Cell(part, _small, Columns[i], lineY);
                        lineY += 11;
                    }
                }

                _y += height;
                HorizontalRule(_y);
            }
        }

        private void DrawTableHeader()
        {
            const double height = 18;
            G.DrawRectangle(new XSolidBrush(Shade), Left, _y, Right - Left, height);
            foreach (var column in Columns)
            {
                Cell(T(column.Key), _smallBold, column, _y + 4.5);
            }

            _y += height;
        }

        private void DrawTotals()
        {
            var culture = _culture;
            var terms = doc.Terms.Select(t => Wrap(t, _body, Right - Left)).ToList();
            var needed = 14 + (3 * 17) + 18 + (terms.Sum(t => t.Count + 1) * 13) + 8;
            if (_y + needed > ContentBottom)
            {
                TextRight(T("Continued"), _small, Right, _y + 4, Grey);
                NewPage(first: false);
            }

            _y += 14;
            const double labelX = 320;
            Text(T("Total.Net"), _body, labelX, _y, 150);
            TextRight(Money(doc.Net), _body, Right, _y);
            _y += 17;
            Text(T("Total.Vat", InvoiceFormat.Rate(doc.VatRate, culture)), _body, labelX, _y, 150);
            TextRight(Money(doc.VatAmount), _body, Right, _y);
            _y += 17;
            G.DrawLine(new XPen(XColors.Black, 0.75), labelX, _y - 3, Right, _y - 3);
            Text(T("Total.Total"), _totalFont, labelX, _y + 1, 150);
            TextRight(Money(doc.Total), _totalFont, Right, _y + 1);
            _y += 17 + 18;

            foreach (var paragraph in terms)
            {
                foreach (var line in paragraph)
                {
                    Text(line, _body, Left, _y, Right - Left);
                    _y += 13;
                }

                _y += 5;
            }
        }

        private void DrawFooters()
        {
            for (var i = 0; i < _pages.Count; i++)
            {
                using var g = XGraphics.FromPdfPage(_pages[i], XGraphicsPdfPageOptions.Append);
                var text = T("Page", doc.Number, i + 1, _pages.Count);
                g.DrawString(text, _small, new XSolidBrush(Grey), new XRect(Left, FooterY, Right - Left, 12), XStringFormats.TopCenter);
            }
        }

        private void Cell(string text, XFont font, Column column, double y)
        {
            if (column.Alignment == Alignment.Right)
            {
                TextRight(text, font, column.X + column.Width, y);
            }
            else
            {
                Text(text, font, column.X, y, column.Width);
            }
        }

        private void Text(string text, XFont font, double x, double y, double width, XColor? color = null) =>
            G.DrawString(text, font, new XSolidBrush(color ?? XColors.Black), new XRect(x, y, width, font.Size * 1.3), XStringFormats.TopLeft);

        private void TextRight(string text, XFont font, double right, double y, XColor? color = null) =>
            G.DrawString(text, font, new XSolidBrush(color ?? XColors.Black), new XRect(Left, y, right - Left, font.Size * 1.3), XStringFormats.TopRight);

        /// <summary>Writes <paramref name="text"/> wrapped to <paramref name="width"/>; returns the y below it.</summary>
        private double Paragraph(string text, XFont font, double x, double y, double width, double lineHeight)
        {
            foreach (var line in Wrap(text, font, width))
            {
                Text(line, font, x, y, width);
                y += lineHeight;
            }

            return y;
        }

        private void HorizontalRule(double y) => G.DrawLine(new XPen(Rule, 0.5), Left, y, Right, y);

        /// <summary>Breaks at ordinary spaces only (no-break spaces keep amounts and dates whole); a word too long is cut.</summary>
        private List<string> Wrap(string text, XFont font, double width)
        {
            var lines = new List<string>();
            var current = "";
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = current.Length == 0 ? word : current + " " + word;
                if (G.MeasureString(candidate, font).Width <= width)
                {
                    current = candidate;
                    continue;
                }

                if (current.Length > 0)
                {
                    lines.Add(current);
                }

                current = word;
                while (current.Length > 1 && G.MeasureString(current, font).Width > width)
                {
                    var fit = current.Length - 1;
                    while (fit > 1 && G.MeasureString(current[..fit], font).Width > width)
                    {
                        fit--;
                    }

                    lines.Add(current[..fit]);
                    current = current[fit..];
                }
            }

            if (current.Length > 0 || lines.Count == 0)
            {
                lines.Add(current);
            }

            return lines;
        }

        private static XFont Font(double size, bool bold) =>
            new(InvoiceFonts.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));
    }

    private enum Alignment
    {
        Left,
        Right,
    }

    private sealed record Column(string Key, double X, double Width, Alignment Alignment);
}
