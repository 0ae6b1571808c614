using Microsoft.EntityFrameworkCore;
using Renewals.Data;

namespace Renewals.Core.Messaging;

/// <summary>
/// The bodies of stored template versions that replace shipped files, for the parts of one
/// message (its kind and the layout) in one language. A part that is absent is the shipped file.
/// </summary>
public sealed class StoredTemplates
{
    public static readonly StoredTemplates None = new(new Dictionary<(string, string, TemplatePart), string>());

    private readonly IReadOnlyDictionary<(string Kind, string Language, TemplatePart Part), string> _bodies;

    public StoredTemplates(IReadOnlyDictionary<(string Kind, string Language, TemplatePart Part), string> bodies)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        _bodies = bodies;
    }

    public int Count => _bodies.Count;

    public string? Body(string kind, string language, TemplatePart part) =>
        _bodies.TryGetValue((kind, language, part), out var body) ? body : null;

    /// <summary>The same, with <paramref name="draft"/> in place of the kind's parts it names (a preview or a save being checked).</summary>
    public StoredTemplates With(string kind, string language, IReadOnlyDictionary<TemplatePart, string> draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var bodies = new Dictionary<(string, string, TemplatePart), string>(_bodies);
        foreach (var (part, body) in draft)
        {
            bodies[(kind, language, part)] = body;
        }

        return new StoredTemplates(bodies);
    }

    /// <summary>The current version (highest number) of every stored part of every kind and language: one query for a whole batch of messages.</summary>
    public static async Task<StoredTemplates> AllCurrentAsync(RenewalsDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.MessageTemplateVersions.AsNoTracking()
            .Where(v => !db.MessageTemplateVersions.Any(w => w.Kind == v.Kind && w.Language == v.Language && w.Part == v.Part && w.Number > v.Number))
            .Select(v => new { v.Kind, v.Language, v.Part, v.Body })
            .ToListAsync(ct);
        return Of(rows.Select(r => (r.Kind, r.Language, r.Part, r.Body)));
    }

    /// <summary>The current version (highest number) of every stored part of <paramref name="kind"/> and of the layout, in <paramref name="language"/>.</summary>
    public static async Task<StoredTemplates> CurrentAsync(RenewalsDbContext db, string kind, string language, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.MessageTemplateVersions.AsNoTracking()
            .Where(v => (v.Kind == kind || v.Kind == TemplateLibrary.LayoutName) && v.Language == language)
            .Where(v => !db.MessageTemplateVersions.Any(w => w.Kind == v.Kind && w.Language == v.Language && w.Part == v.Part && w.Number > v.Number))
            .Select(v => new { v.Kind, v.Part, v.Body })
            .ToListAsync(ct);
        return Of(rows.Select(r => (r.Kind, language, r.Part, r.Body)));
    }

    /// <summary>The stored versions read, by kind, language and part (a part name no kind has is passed over).</summary>
    private static StoredTemplates Of(IEnumerable<(string Kind, string Language, string Part, string Body)> rows)
    {
        var bodies = new Dictionary<(string, string, TemplatePart), string>();
        foreach (var row in rows)
        {
            if (TemplateParts.FromStored(row.Part) is { } part)
            {
                bodies[(row.Kind, row.Language, part)] = row.Body;
            }
        }

        return bodies.Count == 0 ? None : new StoredTemplates(bodies);
    }
}

/// <summary>How a part is named in the stored rows ("subject", "html", "text") and which parts each kind has.</summary>
public static class TemplateParts
{
    /// <summary>The parts of a kind in the order an editor shows them; the layout has its HTML only.</summary>
    public static IReadOnlyList<TemplatePart> Of(string kind) =>
        kind == TemplateLibrary.LayoutName ? [TemplatePart.Html] : [TemplatePart.Subject, TemplatePart.Text, TemplatePart.Html];

    public static string Stored(TemplatePart part) => part switch
    {
        TemplatePart.Subject => "subject",
        TemplatePart.Html => "html",
        TemplatePart.Text => "text",
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
    };

    public static TemplatePart? FromStored(string? name) => name switch
    {
        "subject" => TemplatePart.Subject,
        "html" => TemplatePart.Html,
        "text" => TemplatePart.Text,
        _ => null,
    };
}
