using System.Globalization;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;
using NodaTime;
using NodaTime.Text;
using Renewals.Domain.Text;

namespace Renewals.Core.Messaging;

/// <summary>A message ready to send: subject, HTML part (inside the layout) and text part.</summary>
public sealed record RenderedMessage(string Subject, string Html, string Text);

/// <summary>
/// Renders a kind of message in a language with Fluid. Values are HTML-encoded in the HTML
/// part only. Filters for people: <c>long_date</c> ("15 janvier 2030"), <c>money</c>
/// ("1 234,56 €", takes the currency), <c>percent</c>, <c>period</c> (a start date and, as
/// argument, the exclusive end: "du 15 janvier 2027 au 14 janvier 2028 inclus", see
/// <see cref="PeriodText"/>).
/// </summary>
public sealed class MessageRenderer(TemplateLibrary templates)
{
    /// <summary>Far above what any message of ours takes (a few thousand), far below a runaway loop.</summary>
    public const int MaxRenderSteps = 1_000_000;

    private static readonly TemplateOptions Options = CreateOptions();

    public TemplateLibrary Templates { get; } = templates;

    /// <param name="stored">The current versions an admin saved, used before the shipped files (none: the files alone).</param>
    public async Task<RenderedMessage> RenderAsync(string kind, string language, IReadOnlyDictionary<string, object?> model, StoredTemplates? stored = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var culture = CultureInfo.GetCultureInfo(language);
        // Every part is parsed before anything is rendered: a broken file stops the whole message.
        var subjectTemplate = Templates.Get(kind, language, TemplatePart.Subject, stored);
        var htmlTemplate = Templates.Get(kind, language, TemplatePart.Html, stored);
        var textTemplate = Templates.Get(kind, language, TemplatePart.Text, stored);
        var layout = Templates.Get(TemplateLibrary.LayoutName, language, TemplatePart.Html, stored);

        var subject = await RenderPartAsync(subjectTemplate, model, culture, NullEncoder.Default);
        var body = await RenderPartAsync(htmlTemplate, model, culture, HtmlEncoder.Default);
        var text = await RenderPartAsync(textTemplate, model, culture, NullEncoder.Default);
        var page = new Dictionary<string, object?>(model, StringComparer.Ordinal) { ["subject"] = subject, ["content"] = new RawHtml(body) };
        var html = await RenderPartAsync(layout, page, culture, HtmlEncoder.Default);
        return new RenderedMessage(string.Join(' ', subject.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim(), html, text);
    }

    private static async Task<string> RenderPartAsync(IFluidTemplate template, IReadOnlyDictionary<string, object?> model, CultureInfo culture, TextEncoder encoder)
    {
        var context = new TemplateContext(Options) { CultureInfo = culture };
        foreach (var (name, value) in model)
        {
            context.SetValue(name, value is RawHtml raw ? new StringValue(raw.Html, encode: false) : FluidValue.Create(value, Options));
        }

        return await template.RenderAsync(context, encoder);
    }

    private static TemplateOptions CreateOptions()
    {
        // An administrator's template may loop a hundred million times: past this many steps the
        // render fails (a refusal when saved or previewed) instead of holding a thread and memory.
        var options = new TemplateOptions { MaxSteps = MaxRenderSteps };
        options.Filters.AddFilter("long_date", (input, _, context) =>
            Text(AsDate(input) is { } date ? DomainText.LongDate(date, context.CultureInfo) : input.ToStringValue()));
        options.Filters.AddFilter("long_date_time", (input, _, context) =>
            Text(AsDateTime(input) is { } at ? DomainText.LongDateTime(at, context.CultureInfo) : input.ToStringValue()));
        options.Filters.AddFilter("money", (input, arguments, context) =>
            Text(MoneyText.Format(input.ToNumberValue(), arguments.At(0).ToStringValue(), context.CultureInfo)));
        options.Filters.AddFilter("period", (input, arguments, context) =>
            Text(AsDate(input) is { } start && AsDate(arguments.At(0)) is { } end && end > start
                ? PeriodText.Format(start, end, context.CultureInfo)
                : input.ToStringValue()));
        // Stored ends are exclusive (the first day no longer covered); people read the last day.
        options.Filters.AddFilter("last_day", (input, _, _) =>
            Text(AsDate(input) is { } end ? LocalDatePattern.Iso.Format(end.PlusDays(-1)) : input.ToStringValue()));
        options.Filters.AddFilter("percent", (input, _, context) =>
            Text(MoneyText.Percent(input.ToNumberValue(), context.CultureInfo)));
        return options;
    }

    private static ValueTask<FluidValue> Text(string value) => new(new StringValue(value));

    private static LocalDate? AsDate(FluidValue input) =>
        input.ToObjectValue() switch
        {
            LocalDate date => date,
            _ when LocalDatePattern.Iso.Parse(input.ToStringValue()) is { Success: true } parsed => parsed.Value,
            _ => null,
        };

    private static LocalDateTime? AsDateTime(FluidValue input) =>
        input.ToObjectValue() switch
        {
            LocalDateTime at => at,
            _ when LocalDateTimePattern.ExtendedIso.Parse(input.ToStringValue()) is { Success: true } parsed => parsed.Value,
            _ when LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd'T'HH:mm").Parse(input.ToStringValue()) is { Success: true } parsed => parsed.Value,
            _ => null,
        };

    /// <summary>Markup already encoded (the rendered body placed in the layout).</summary>
    private sealed record RawHtml(string Html);
}
