using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Messaging;

/// <summary>A template in a language, as the list shows it: how many versions an admin saved, and the last save.</summary>
public sealed record TemplateListItem(string Kind, string Language, int Versions, Instant? LastSavedAt, string? LastSavedBy)
{
    /// <summary>No version saved: the messages use the template shipped with Renewals.</summary>
    public bool Shipped => Versions == 0;
}

/// <summary>A saved version of one part; <see cref="Current"/> is the one messages use.</summary>
public sealed record TemplateVersionView(int Number, Instant SavedAt, string SavedBy, int? RestoredFrom, string Body, bool Current);

/// <summary>One part as messages use it now (the current version, or the shipped text when <see cref="CurrentNumber"/> is null), and its versions, newest first.</summary>
public sealed record TemplatePartView(TemplatePart Part, string Body, int? CurrentNumber, IReadOnlyList<TemplateVersionView> Versions);

public sealed record TemplateDetail(string Kind, string Language, IReadOnlyList<TemplatePartView> Parts);

/// <summary>A version a save or a restore added.</summary>
public sealed record SavedTemplateVersion(TemplatePart Part, int Number);

/// <summary>
/// The administrators' message templates: list, read with versions, preview on sample data,
/// save (a new version of each changed part, refused before anything is stored when a part
/// does not parse or the whole fails on the sample), restore (a new version copying an
/// earlier one). Messages are rendered when they are delivered, so a change applies to the
/// messages still waiting in the outbox. Every write leaves an audit row.
/// </summary>
public sealed partial class TemplateAdminService(RenewalsDbContext db, IClock clock, MessageRenderer renderer, DeliveryOptions delivery)
{
    /// <summary>How the audit trail names a stored template version (<c>AuditEntry.Entity</c>).</summary>
    public const string AuditEntity = "message-template";

    public const int MaxBodyLength = 100_000;

    /// <summary>Every template an admin may edit: each kind of message, and the layout around every HTML part.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [.. TemplateLibrary.Kinds, TemplateLibrary.LayoutName];

    public async Task<IReadOnlyList<TemplateListItem>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        Require(actor);
        var saved = await db.MessageTemplateVersions.AsNoTracking()
            .GroupBy(v => new { v.Kind, v.Language })
            .Select(g => new { g.Key.Kind, g.Key.Language, Count = g.Count(), Last = g.Max(v => v.Id) })
            .ToListAsync(ct);
        var lastIds = saved.Select(s => s.Last).ToList();
        var last = await db.MessageTemplateVersions.AsNoTracking().Where(v => lastIds.Contains(v.Id))
            .ToDictionaryAsync(v => v.Id, v => new { v.SavedAt, v.SavedBy }, ct);
        return
        [
            .. from language in TemplateLibrary.Languages
               from kind in Kinds
               let row = saved.SingleOrDefault(s => s.Kind == kind && s.Language == language)
               select row is null
                   ? new TemplateListItem(kind, language, 0, null, null)
                   : new TemplateListItem(kind, language, row.Count, last[row.Last].SavedAt, last[row.Last].SavedBy),
        ];
    }

    /// <summary>The template's parts as messages use them now, with their versions; unknown kind or language: <see cref="DomainErrors.TemplateUnknown"/>.</summary>
    public async Task<TemplateDetail> GetAsync(Actor actor, string kind, string language, CancellationToken ct = default)
    {
        Require(actor);
        Known(kind, language);
        var versions = await db.MessageTemplateVersions.AsNoTracking()
            .Where(v => v.Kind == kind && v.Language == language)
            .OrderByDescending(v => v.Number)
            .ToListAsync(ct);
        var parts = new List<TemplatePartView>();
        foreach (var part in TemplateParts.Of(kind))
        {
            var stored = TemplateParts.Stored(part);
            var mine = versions.Where(v => v.Part == stored).ToList();
            var current = mine.FirstOrDefault();
            parts.Add(new TemplatePartView(
                part,
                current?.Body ?? Normalize(renderer.Templates.ShippedSource(kind, language, part)),
                current?.Number,
                [.. mine.Select(v => new TemplateVersionView(v.Number, v.SavedAt, v.SavedBy, v.RestoredFrom, v.Body, v.Number == current!.Number))]));
        }

        return new TemplateDetail(kind, language, parts);
    }

    /// <summary>
    /// The message rendered on sample data in the template's language, with <paramref name="draft"/>
    /// in place of the current parts it names. A part that does not parse, or a message that fails
    /// on the sample, is refused with a coded error (line and column for the first).
    /// </summary>
    public async Task<RenderedMessage> PreviewAsync(Actor actor, string kind, string language, IReadOnlyDictionary<TemplatePart, string>? draft = null, CancellationToken ct = default)
    {
        Require(actor);
        Known(kind, language);
        var bodies = Bodies(kind, draft);
        var stored = await StoredTemplates.CurrentAsync(db, SampleKind(kind), language, ct);
        return await RenderSampleAsync(kind, language, stored.With(kind, language, bodies));
    }

    /// <summary>
    /// Saves a new version of each part of <paramref name="draft"/> that differs from the current
    /// one; returns them (none when nothing changed). Every part is parsed and the whole message
    /// rendered on the sample first: a refusal stores nothing.
    /// </summary>
    public async Task<IReadOnlyList<SavedTemplateVersion>> SaveAsync(Actor actor, string kind, string language, IReadOnlyDictionary<TemplatePart, string> draft, CancellationToken ct = default)
    {
        Require(actor);
        Known(kind, language);
        ArgumentNullException.ThrowIfNull(draft);
        var bodies = Bodies(kind, draft);
        var stored = await StoredTemplates.CurrentAsync(db, SampleKind(kind), language, ct);
        await RenderSampleAsync(kind, language, stored.With(kind, language, bodies));

        var changed = bodies
            .Where(d => d.Value != (stored.Body(kind, language, d.Key) ?? Normalize(renderer.Templates.ShippedSource(kind, language, d.Key))))
            .OrderBy(d => TemplateParts.Of(kind).ToList().IndexOf(d.Key))
            .ToList();
        if (changed.Count == 0)
        {
            return [];
        }

        return await AddVersionsAsync(actor, kind, language, [.. changed.Select(c => (c.Key, c.Value, (int?)null))], ct);
    }

    /// <summary>Makes version <paramref name="number"/> of a part current again, as a new version copying its body.</summary>
    public async Task<SavedTemplateVersion> RestoreAsync(Actor actor, string kind, string language, TemplatePart part, int number, CancellationToken ct = default)
    {
        Require(actor);
        Known(kind, language);
        if (!TemplateParts.Of(kind).Contains(part))
        {
            throw new DomainException(DomainErrors.TemplateVersionUnknown, number);
        }

        var stored = TemplateParts.Stored(part);
        var earlier = await db.MessageTemplateVersions.AsNoTracking()
            .Where(v => v.Kind == kind && v.Language == language && v.Part == stored && v.Number == number)
            .Select(v => v.Body).SingleOrDefaultAsync(ct)
            ?? throw new DomainException(DomainErrors.TemplateVersionUnknown, number);
        var added = await AddVersionsAsync(actor, kind, language, [(part, earlier, number)], ct);
        return added.Single();
    }

    private async Task<IReadOnlyList<SavedTemplateVersion>> AddVersionsAsync(
        Actor actor, string kind, string language, IReadOnlyList<(TemplatePart Part, string Body, int? RestoredFrom)> parts, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAddVersionsAsync(actor, kind, language, parts, ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another admin took the same version number (the unique index refused ours): number again.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<IReadOnlyList<SavedTemplateVersion>> TryAddVersionsAsync(
        Actor actor, string kind, string language, IReadOnlyList<(TemplatePart Part, string Body, int? RestoredFrom)> parts, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = new List<MessageTemplateVersion>();
        foreach (var (part, body, restoredFrom) in parts)
        {
            var stored = TemplateParts.Stored(part);
            var last = await db.MessageTemplateVersions
                .Where(v => v.Kind == kind && v.Language == language && v.Part == stored)
                .MaxAsync(v => (int?)v.Number, ct) ?? 0;
            rows.Add(new MessageTemplateVersion
            {
                Kind = kind, Language = language, Part = stored, Number = last + 1, Body = body, SavedAt = now, SavedBy = actor.AuditName, RestoredFrom = restoredFrom,
            });
        }

        db.MessageTemplateVersions.AddRange(rows);
        await db.SaveChangesAsync(ct);
        foreach (var row in rows)
        {
            db.Audit.Add(new AuditEntry
            {
                At = now,
                Actor = actor.AuditName,
                Action = row.RestoredFrom is null ? "template.saved" : "template.restored",
                Entity = AuditEntity,
                EntityId = row.Id,
                Details = string.Create(CultureInfo.InvariantCulture, $"{language}/{kind}.{row.Part} version {row.Number}")
                    + (row.RestoredFrom is { } from ? string.Create(CultureInfo.InvariantCulture, $", copy of version {from}") : ""),
            });
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return [.. rows.Select(r => new SavedTemplateVersion(TemplateParts.FromStored(r.Part)!.Value, r.Number))];
    }

    /// <summary>Parses each part, then renders the message on its sample: the refusals a save and a preview share.</summary>
    private async Task<RenderedMessage> RenderSampleAsync(string kind, string language, StoredTemplates templates)
    {
        var sampleKind = SampleKind(kind);
        foreach (var part in TemplateParts.Of(kind))
        {
            if (templates.Body(kind, language, part) is { } body
                && TemplateLibrary.Check(TemplateLibrary.FileName(kind, language, part), body) is { } error)
            {
                var code = part switch
                {
                    TemplatePart.Subject => DomainErrors.TemplateSubjectDoesNotParse,
                    TemplatePart.Text => DomainErrors.TemplateTextDoesNotParse,
                    _ => DomainErrors.TemplateHtmlDoesNotParse,
                };
                throw new DomainException(code, error.Line ?? 1, error.Column ?? 1, Position().Replace(error.Reason, "").Trim());
            }
        }

        RenderedMessage rendered;
        try
        {
            rendered = await renderer.RenderAsync(sampleKind, language, MessageSamples.Model(sampleKind, language, delivery.PortalUrl), templates);
        }
        catch (Exception failure) when (failure is not OperationCanceledException and not OutOfMemoryException)
        {
            // Anything the sample makes the template throw (a filter on a wrong value, a division by zero...).
            throw new DomainException(DomainErrors.TemplateDoesNotRender, failure.Message);
        }

        if (string.IsNullOrWhiteSpace(rendered.Subject))
        {
            throw new DomainException(DomainErrors.TemplateSubjectEmpty);
        }

        return rendered;
    }

    /// <summary>The parts of a draft this kind has, line ends as the shipped files write them, each within the size limit.</summary>
    private static Dictionary<TemplatePart, string> Bodies(string kind, IReadOnlyDictionary<TemplatePart, string>? draft)
    {
        var bodies = new Dictionary<TemplatePart, string>();
        foreach (var (part, body) in draft ?? new Dictionary<TemplatePart, string>())
        {
            if (!TemplateParts.Of(kind).Contains(part) || body is null)
            {
                continue;
            }

            if (body.Length > MaxBodyLength)
            {
                throw new DomainException(DomainErrors.TemplateTooLong, MaxBodyLength);
            }

            bodies[part] = Normalize(body);
        }

        return bodies;
    }

    // Browsers post text areas with CRLF; the shipped files and the stored versions use LF.
    private static string Normalize(string body) => body.Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The kind rendered to preview or check a template: the layout is seen around a reminder.</summary>
    private static string SampleKind(string kind) => kind == TemplateLibrary.LayoutName ? MessageKinds.Reminder : kind;

    private static void Known(string kind, string language)
    {
        if (!Kinds.Contains(kind) || !TemplateLibrary.Languages.Contains(language))
        {
            throw new DomainException(DomainErrors.TemplateUnknown, kind ?? "", language ?? "");
        }
    }

    private static void Require(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
    }

    [GeneratedRegex(@"\s*at \(\d+:\d+\)")]
    private static partial Regex Position();
}
