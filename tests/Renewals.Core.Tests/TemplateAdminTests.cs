using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Renewals.Core.Access;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteTemplateAdminTests() : TemplateAdminTests(DatabaseProvider.Sqlite);

public sealed class PostgresTemplateAdminTests() : TemplateAdminTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Message templates edited by an administrator: stored versions, refused before anything is
/// stored when they do not parse or fail on the sample, delivered by real SMTP at the next
/// dispatch, earlier versions restored, every write in the audit trail.
/// </summary>
public abstract class TemplateAdminTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr");
    private static readonly Actor Alice = new Actor.Admin("alice");

    [Fact]
    public async Task A_template_that_does_not_parse_is_refused_with_its_line_in_both_languages_and_nothing_is_stored()
    {
        await using var db = Database.Context();
        var templates = Service(db);
        const string Broken = "<p>Hello {{ recipient.name }},</p>\n<p>A reminder.</p>\n{% if days > %}\n<p>end</p>\n{% endif %}\n";

        var refused = await Assert.ThrowsAsync<DomainException>(() => templates.SaveAsync(Alice, MessageKinds.Reminder, "en", Draft(html: Broken)));

        Assert.Equal(DomainErrors.TemplateHtmlDoesNotParse, refused.Code);
        Assert.StartsWith("The HTML part has a syntax error at line 3, column ", refused.Describe(English), StringComparison.Ordinal);
        Assert.StartsWith("La partie HTML contient une erreur de syntaxe à la ligne 3, colonne ", refused.Describe(French), StringComparison.Ordinal);
        Assert.Equal(0, await db.MessageTemplateVersions.CountAsync());
        Assert.Equal(0, await db.Audit.CountAsync());
        // The template messages use is still the shipped one.
        var detail = await templates.GetAsync(Alice, MessageKinds.Reminder, "en");
        Assert.All(detail.Parts, p => Assert.Null(p.CurrentNumber));
        Assert.Equal(File.ReadAllText(Path.Combine(TemplateLibrary.DefaultDirectory, "en", "reminder.html.liquid")), detail.Parts.Single(p => p.Part == TemplatePart.Html).Body);

        // A subject that breaks on its first line names line 1, in French too.
        var subject = await Assert.ThrowsAsync<DomainException>(() => templates.SaveAsync(Alice, MessageKinds.Reminder, "fr", Draft(subject: "Rappel {{ account.name ")));
        Assert.StartsWith("L'objet contient une erreur de syntaxe à la ligne 1, colonne ", subject.Describe(French), StringComparison.Ordinal);
        Assert.Equal(0, await db.MessageTemplateVersions.CountAsync());
    }

    [Fact]
    public async Task A_template_that_parses_but_fails_on_the_sample_or_renders_no_subject_is_refused_and_nothing_is_stored()
    {
        await using var db = Database.Context();
        var templates = Service(db);

        var failing = await Assert.ThrowsAsync<DomainException>(() => templates.SaveAsync(Alice, MessageKinds.Reminder, "en", Draft(text: "Days left: {{ 10 | divided_by: 0 }}\n")));
        Assert.Equal(DomainErrors.TemplateDoesNotRender, failing.Code);
        Assert.StartsWith("The template reads well but fails on the sample message: ", failing.Describe(English), StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<DomainException>(() => templates.SaveAsync(Alice, MessageKinds.Welcome, "fr", Draft(subject: "{{ nothing_here }}")));
        Assert.Equal("L'objet est vide sur le message d'exemple\u00a0: tout message doit avoir un objet.", empty.Describe(French));

        Assert.Equal(0, await db.MessageTemplateVersions.CountAsync());
        Assert.Equal(0, await db.Audit.CountAsync());
    }

    [Fact]
    public async Task A_saved_template_is_used_by_the_next_delivery_of_a_message_already_waiting_in_the_outbox()
    {
        var subscription = await Book.ExampleAsync("en");
        // Day 1: the engine writes the welcome and the confirmation letter to the outbox.
        await RunOnAsync(Date("2027-01-15"));
        long waiting;
        string kind;
        await using (var db = Database.Context())
        {
            var message = await db.Outbox.AsNoTracking().Where(m => m.SubscriptionId == subscription.Id && m.Language == "en" && m.Status == OutboxStatus.Pending)
                .OrderBy(m => m.Id).FirstAsync();
            (waiting, kind) = (message.Id, message.Template);
        }

        await using (var db = Database.Context())
        {
            var saved = await Service(db).SaveAsync(Alice, kind, "en", Draft(
                subject: "Edited by the administrators",
                text: "Hello {{ recipient.name }}, this text was edited.\n",
                html: "<p>Edited HTML for {{ account.name }}</p>\n"));
            Assert.Equal([new SavedTemplateVersion(TemplatePart.Subject, 1), new SavedTemplateVersion(TemplatePart.Text, 1), new SavedTemplateVersion(TemplatePart.Html, 1)], saved);
        }

        await using var server = new TestSmtpServer();
        await server.StartAsync();
        await DispatchAsync(server, NodaTime.Instant.FromUtc(2027, 1, 15, 8, 0));

        await using var check = Database.Context();
        var row = await check.Outbox.AsNoTracking().SingleAsync(m => m.Id == waiting);
        Assert.Equal(OutboxStatus.Sent, row.Status);
        var mail = Assert.Single(server.Received, r => r.MessageId == row.MessageId.Trim('<', '>').Split('@')[0] + "@vendor.example");
        var contact = await check.Contacts.AsNoTracking().SingleAsync(c => c.Id == row.ContactId);
        var account = await check.Accounts.AsNoTracking().SingleAsync(a => a.Id == row.AccountId);
        Assert.Equal("Edited by the administrators", mail.Subject);
        Assert.Equal($"Hello {contact.Name}, this text was edited.\n", (mail.TextBody ?? "").ReplaceLineEndings("\n"));
        Assert.Contains($"<p>Edited HTML for {account.Name}</p>", mail.HtmlBody, StringComparison.Ordinal);
        // The French messages, not edited, still go out as shipped.
        Assert.DoesNotContain(server.Received, r => r.Subject == "Edited by the administrators" && r.Body?.Headers[HeaderId.ContentLanguage] == "fr");

        var audit = await check.Audit.AsNoTracking().Where(a => a.Entity == TemplateAdminService.AuditEntity).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(
            [$"en/{kind}.subject version 1", $"en/{kind}.text version 1", $"en/{kind}.html version 1"],
            audit.Select(a => a.Details));
        Assert.All(audit, a => Assert.Equal(("admin:alice", "template.saved"), (a.Actor, a.Action)));
    }

    [Fact]
    public async Task An_earlier_version_is_restored_as_a_new_version_and_becomes_current()
    {
        await using var db = Database.Context();
        var templates = Service(db);
        await templates.SaveAsync(Alice, MessageKinds.Welcome, "fr", Draft(subject: "Bienvenue, première version"));
        Clock.AdvanceMinutes(5);
        await templates.SaveAsync(Alice, MessageKinds.Welcome, "fr", Draft(subject: "Bienvenue, deuxième version"));
        // Saving the same text again adds nothing.
        Assert.Empty(await templates.SaveAsync(Alice, MessageKinds.Welcome, "fr", Draft(subject: "Bienvenue, deuxième version")));
        Assert.Equal("Bienvenue, deuxième version", (await templates.PreviewAsync(Alice, MessageKinds.Welcome, "fr")).Subject);

        Clock.AdvanceMinutes(5);
        var restored = await templates.RestoreAsync(new Actor.Admin("bob"), MessageKinds.Welcome, "fr", TemplatePart.Subject, 1);

        Assert.Equal(new SavedTemplateVersion(TemplatePart.Subject, 3), restored);
        var subject = (await templates.GetAsync(Alice, MessageKinds.Welcome, "fr")).Parts.Single(p => p.Part == TemplatePart.Subject);
        Assert.Equal(("Bienvenue, première version", 3), (subject.Body, subject.CurrentNumber));
        Assert.Equal([3, 2, 1], subject.Versions.Select(v => v.Number));
        Assert.Equal([1, null, null], subject.Versions.Select(v => v.RestoredFrom));
        Assert.Equal(["admin:bob", "admin:alice", "admin:alice"], subject.Versions.Select(v => v.SavedBy));
        Assert.Equal([true, false, false], subject.Versions.Select(v => v.Current));
        Assert.Equal(NodaTime.Instant.FromUtc(2026, 12, 1, 12, 10), subject.Versions[0].SavedAt);
        Assert.Equal("Bienvenue, première version", (await templates.PreviewAsync(Alice, MessageKinds.Welcome, "fr")).Subject);
        var audit = await db.Audit.AsNoTracking().OrderByDescending(a => a.Id).FirstAsync();
        Assert.Equal(("admin:bob", "template.restored", "fr/welcome.subject version 3, copy of version 1"), (audit.Actor, audit.Action, audit.Details));

        var unknown = await Assert.ThrowsAsync<DomainException>(() => templates.RestoreAsync(Alice, MessageKinds.Welcome, "fr", TemplatePart.Subject, 9));
        Assert.Equal("Cette partie du modèle n'a pas de version 9.", unknown.Describe(French));
    }

    [Fact]
    public async Task The_preview_renders_a_draft_on_sample_data_in_either_language_and_only_administrators_reach_templates()
    {
        await using var db = Database.Context();
        var templates = Service(db);

        var english = await templates.PreviewAsync(Alice, MessageKinds.Reminder, "en", Draft(subject: "For {{ recipient.name }} at {{ account.name }}"));
        var french = await templates.PreviewAsync(Alice, MessageKinds.Reminder, "fr", Draft(subject: "Pour {{ recipient.name }} chez {{ account.name }}"));
        var layout = await templates.PreviewAsync(Alice, TemplateLibrary.LayoutName, "en", Draft(html: "<html><body><h1>Our letterhead</h1>{{ content }}</body></html>"));

        // The sample people of MessageSamples, as written there.
        Assert.Equal("For Alex Morgan at Northwind Analytics Ltd", english.Subject);
        Assert.Equal("Pour Camille Durand chez Ateliers Lumière SAS", french.Subject);
        Assert.StartsWith("<html><body><h1>Our letterhead</h1>", layout.Html, StringComparison.Ordinal);
        Assert.Equal(0, await db.MessageTemplateVersions.CountAsync());

        var list = await templates.ListAsync(Alice);
        Assert.Equal((TemplateLibrary.Kinds.Count + 1) * 2, list.Count);
        Assert.All(list, t => Assert.True(t.Shipped));

        foreach (var outsider in new Actor[] { new Actor.Advisor(1), new Actor.Partner(1) })
        {
            var refused = await Assert.ThrowsAsync<DomainException>(() => templates.ListAsync(outsider));
            Assert.Equal(DomainErrors.AdministratorsOnly, refused.Code);
            await Assert.ThrowsAsync<DomainException>(() => templates.SaveAsync(outsider, MessageKinds.Reminder, "en", Draft(subject: "x")));
        }

        var unknown = await Assert.ThrowsAsync<DomainException>(() => templates.GetAsync(Alice, "no-such-kind", "en"));
        Assert.Equal("There is no message template 'no-such-kind' in 'en'.", unknown.Describe(English));
    }

    [Fact]
    public async Task Two_admins_saving_the_same_part_at_once_both_get_a_version_of_their_own()
    {
        await using var first = Database.Context();
        await using var second = Database.Context();

        var saves = await Task.WhenAll(
            Service(first).SaveAsync(Alice, MessageKinds.Invoice, "en", Draft(subject: "Invoice, as Alice writes it")),
            Service(second).SaveAsync(new Actor.Admin("bob"), MessageKinds.Invoice, "en", Draft(subject: "Invoice, as Bob writes it")));

        Assert.Equal([1, 2], saves.Select(s => Assert.Single(s).Number).Order());
        await using var check = Database.Context();
        var stored = await check.MessageTemplateVersions.AsNoTracking().OrderBy(v => v.Number).Select(v => v.Body).ToListAsync();
        Assert.Equal(["Invoice, as Alice writes it", "Invoice, as Bob writes it"], stored.Order(StringComparer.Ordinal));
        Assert.Equal(2, await check.Audit.CountAsync(a => a.Entity == TemplateAdminService.AuditEntity));
    }

    private TemplateAdminService Service(RenewalsDbContext db) =>
        new(db, Clock, new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());

    private static Dictionary<TemplatePart, string> Draft(string? subject = null, string? text = null, string? html = null)
    {
        var draft = new Dictionary<TemplatePart, string>();
        if (subject is not null)
        {
            draft[TemplatePart.Subject] = subject;
        }

        if (text is not null)
        {
            draft[TemplatePart.Text] = text;
        }

        if (html is not null)
        {
            draft[TemplatePart.Html] = html;
        }

        return draft;
    }

    private async Task DispatchAsync(TestSmtpServer server, NodaTime.Instant now)
    {
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
        await using var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None));
        await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, new NodaTime.Testing.FakeClock(now)).DispatchAsync(now);
    }
}
