using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Engagement;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Core.Tasks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteCallbackTests() : CallbackTests(DatabaseProvider.Sqlite);

public sealed class PostgresCallbackTests() : CallbackTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Callback requests: routed to the account's advisor or the unassigned queue, due the next
/// business day at the same local time, acknowledged through the outbox over real SMTP in the
/// requester's language; bad input stores nothing. Friday 4 December 2026 at 17:30 in Paris is
/// 16:30Z; the next business day is Monday 7 December.
/// </summary>
public abstract partial class CallbackTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr");

    private static CallbackInput Input(string email, string language = "en", string name = "Jane Primary", string phone = "+33 1 23 45 67 89") =>
        new(name, "Acme", email, phone, "Adding ten seats before the renewal", CallbackWindows.Morning, language);

    [Fact]
    public async Task A_public_request_whose_email_names_one_contact_becomes_the_account_advisors_task_acknowledged_in_french()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var acme = await Book.AccountAsync("Acme", advisorId: advisor);
        Clock.Reset(Instant.FromUtc(2026, 12, 4, 16, 30));

        CallbackReceipt receipt;
        await using (var db = Database.Context())
        {
            receipt = await new CallbackService(db, Clock, Invoicing.Seller.Default).RequestFromPublicAsync(Input("JANE@acme.example", "fr"));
        }

        await using var check = Database.Context();
        var task = await check.AdvisorTasks.AsNoTracking().SingleAsync();
        Assert.Equal((AdvisorTaskKinds.Callback, (long?)advisor, (long?)acme.Id, new LocalDate(2026, 12, 7), AdvisorTaskStatus.Open),
            (task.Kind, task.AdvisorId, task.AccountId, task.DueOn, task.Status));
        Assert.Contains("Adding ten seats before the renewal", task.Details, StringComparison.Ordinal);
        Assert.Contains("+33 1 23 45 67 89", task.Details, StringComparison.Ordinal);
        var request = await check.CallbackRequests.AsNoTracking().SingleAsync();
        // Monday 7 December 17:30 in Paris (UTC+1) is 16:30Z.
        Assert.Equal((Instant.FromUtc(2026, 12, 7, 16, 30), "Europe/Paris", "public", task.Id), (request.DueAt, request.TimeZoneId, request.Source, request.AdvisorTaskId));
        Assert.Equal(new LocalDateTime(2026, 12, 7, 17, 30), receipt.DueAt);
        Assert.NotNull(request.ContactId);
        var audit = Assert.Single(await check.Audit.AsNoTracking().Where(e => e.Action == "callback.requested").ToListAsync());
        Assert.Equal(("public", task.Id), (audit.Actor, audit.EntityId));

        var mail = Assert.Single(await DispatchAsync(Instant.FromUtc(2026, 12, 4, 16, 31)));
        Assert.Equal("JANE@acme.example", Assert.Single(mail.To.Mailboxes).Address);
        Assert.Equal("Nous vous rappelons d'ici le 7 décembre 2026", Spaces().Replace(mail.Subject ?? "", " "));
        var text = Spaces().Replace(mail.TextBody ?? "", " ");
        Assert.Contains("Bonjour Jane Primary,", text, StringComparison.Ordinal);
        Assert.Contains("Camille Laurent, votre conseiller renouvellement, vous appellera au +33 1 23 45 67 89 d'ici le 7 décembre 2026 à 17:30 (Europe/Paris), le matin comme vous le préférez.", text, StringComparison.Ordinal);
        Assert.Contains("« Adding ten seats before the renewal »", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_public_request_from_an_unknown_email_goes_to_the_unassigned_queue_and_is_acknowledged_in_english()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        await Book.AccountAsync("Acme", advisorId: advisor);
        // Saturday 5 December 10:00 in Paris (09:00Z): due Monday 7 December at 10:00.
        Clock.Reset(Instant.FromUtc(2026, 12, 5, 9, 0));

        await using (var db = Database.Context())
        {
            await new CallbackService(db, Clock, Invoicing.Seller.Default).RequestFromPublicAsync(Input("sam@initech.example", "en", name: "Sam Stone") with { Company = "Initech" });
        }

        await using var check = Database.Context();
        var task = await check.AdvisorTasks.AsNoTracking().SingleAsync();
        Assert.Equal(((long?)null, (long?)null, new LocalDate(2026, 12, 7)), (task.AdvisorId, task.AccountId, task.DueOn));
        // The queue every advisor sees, and the operator's list, show it with no account.
        var queued = Assert.Single(await new AdvisorTaskService(check, Clock).ListAsync(new Actor.Advisor(advisor)));
        Assert.Equal((task.Id, true, (string?)null, AdvisorTaskKinds.Callback), (queued.Id, queued.Unassigned, queued.Account, queued.Kind));
        var listed = Assert.Single(await new TaskService(check).ListAsync(unassignedOnly: true));
        Assert.Equal((task.Id, AdvisorTaskKinds.Callback), (listed.Id, listed.Kind));
        var details = await new CallbackService(check, Clock, Invoicing.Seller.Default).ForTaskAsync(new Actor.Advisor(advisor), task.Id);
        Assert.Equal(("Sam Stone", "Initech", "sam@initech.example", new LocalDateTime(2026, 12, 7, 10, 0)), (details!.Name, details.Company, details.Email, details.DueAt));
        Assert.Null(await new CallbackService(check, Clock, Invoicing.Seller.Default).ForTaskAsync(new Actor.Partner(1), task.Id));

        var mail = Assert.Single(await DispatchAsync(Instant.FromUtc(2026, 12, 5, 9, 1)));
        Assert.Equal("sam@initech.example", Assert.Single(mail.To.Mailboxes).Address);
        Assert.Equal("We will call you back by 7 December 2026", mail.Subject);
        var text = Spaces().Replace(mail.TextBody ?? "", " ");
        Assert.Contains("Hello Sam Stone,", text, StringComparison.Ordinal);
        Assert.Contains("One of our renewal advisors will call you on +33 1 23 45 67 89 by 7 December 2026 at 10:00 (Europe/Paris), in the morning as you prefer.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_two_contacts_share_names_no_account_and_the_request_waits_in_the_queue()
    {
        var advisor = await Book.AdvisorAsync();
        var acme = await Book.AccountAsync("Acme", advisorId: advisor);
        var globex = await Book.AccountAsync("Globex", advisorId: advisor);
        await using (var db = Database.Context())
        {
            db.Contacts.Add(new Contact { AccountId = globex.Id, Name = "Jane at Globex", Email = "jane@acme.example", Language = "en" });
            await db.SaveChangesAsync();
            await new CallbackService(db, Clock, Invoicing.Seller.Default).RequestFromPublicAsync(Input("jane@acme.example"));
        }

        await using var check = Database.Context();
        var task = await check.AdvisorTasks.AsNoTracking().SingleAsync();
        Assert.Equal(((long?)null, (long?)null), (task.AdvisorId, task.AccountId));
        Assert.NotEqual(acme.Id, globex.Id);
    }

    [Fact]
    public async Task A_request_from_the_web_account_goes_to_its_advisor_due_in_the_accounts_own_time_zone()
    {
        var advisor = await Book.AdvisorAsync("Hugo Martin");
        var account = await Book.AccountAsync("Contoso", zone: "America/New_York", advisorId: advisor);
        // Friday 29 January 2027 at 22:00Z is 17:00 in New York (UTC-5) but already Saturday in Paris.
        Clock.Reset(Instant.FromUtc(2027, 1, 29, 22, 0));

        await using (var db = Database.Context())
        {
            var service = new CallbackService(db, Clock, Invoicing.Seller.Default);
            var prefill = await service.PrefillAsync(new PortalCustomer(account.Id), "jane@contoso.example", "en");
            Assert.Equal(("Jane Primary", "Contoso", "jane@contoso.example"), (prefill.Name, prefill.Company, prefill.Email));
            var receipt = await service.RequestFromPortalAsync(new PortalCustomer(account.Id), "jane@contoso.example", prefill with { Phone = "(212) 555-0142", Subject = "Renewal quote" });
            Assert.Equal((new LocalDateTime(2027, 2, 1, 17, 0), "America/New_York", (long?)advisor), (receipt.DueAt, receipt.TimeZoneId, receipt.AdvisorId));
        }

        await using var check = Database.Context();
        var task = await check.AdvisorTasks.AsNoTracking().SingleAsync();
        Assert.Equal(((long?)advisor, (long?)account.Id, new LocalDate(2027, 2, 1)), (task.AdvisorId, task.AccountId, task.DueOn));
        var request = await check.CallbackRequests.AsNoTracking().SingleAsync();
        Assert.Equal((Instant.FromUtc(2027, 2, 1, 22, 0), "portal"), (request.DueAt, request.Source));
        Assert.Equal($"customer:{account.Id}", (await check.Audit.AsNoTracking().SingleAsync(e => e.Action == "callback.requested")).Actor);

        // The advisor records the call and closes it from the task.
        Clock.Reset(Instant.FromUtc(2027, 2, 1, 15, 0));
        var closed = await new AdvisorTaskService(check, Clock).CloseAsync(new Actor.Advisor(advisor), task.Id, "Called Jane, quote sent");
        Assert.Equal((AdvisorTaskStatus.Done, "Called Jane, quote sent"), (closed.Status, closed.Outcome));
    }

    [Theory]
    [InlineData("", "jane@acme.example", "+33 1 23 45 67 89", "subject", "morning", DomainErrors.CallbackNameRequired,
        "Give your name (at most 200 characters) so that we know whom to ask for.", "Indiquez votre nom (200 caractères au plus) pour que nous sachions qui demander.")]
    [InlineData("Jane", "jane@", "+33 1 23 45 67 89", "subject", "morning", DomainErrors.CallbackEmailInvalid,
        "'jane@' is not an email address: we need one to confirm your request.", "« jane@ » n'est pas une adresse e-mail : il nous en faut une pour confirmer votre demande.")]
    [InlineData("Jane", "jane@acme.example", "call me", "subject", "morning", DomainErrors.CallbackPhoneInvalid,
        "'call me' is not a phone number we can call: use digits (at least 6), spaces and + . - ( ) only.",
        "« call me » n'est pas un numéro que nous pouvons appeler : utilisez des chiffres (au moins 6), des espaces et les signes + . - ( ) uniquement.")]
    [InlineData("Jane", "jane@acme.example", "+33 1 23 45 67 89", "   ", "morning", DomainErrors.CallbackSubjectRequired,
        "Tell us in a few words what the call is about (at most 1000 characters).", "Dites-nous en quelques mots l'objet de l'appel (1000 caractères au plus).")]
    [InlineData("Jane", "jane@acme.example", "+33 1 23 45 67 89", "subject", "midnight", DomainErrors.CallbackWindowUnknown,
        "Choose when you prefer to be called: morning, afternoon or any time.", "Choisissez quand vous préférez être rappelé : le matin, l'après-midi ou à tout moment.")]
    public async Task Bad_input_is_refused_with_a_clear_message_in_both_languages_and_nothing_is_stored(
        string name, string email, string phone, string subject, string window, string code, string english, string french)
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync("Acme", advisorId: advisor);
        await using var db = Database.Context();
        var service = new CallbackService(db, Clock, Invoicing.Seller.Default);
        var input = new CallbackInput(name, "Acme", email, phone, subject, window, "en");

        var fromPublic = await Assert.ThrowsAsync<DomainException>(() => service.RequestFromPublicAsync(input));
        var fromPortal = await Assert.ThrowsAsync<DomainException>(() => service.RequestFromPortalAsync(new PortalCustomer(account.Id), "jane@acme.example", input));

        Assert.Equal((code, code), (fromPublic.Code, fromPortal.Code));
        Assert.Equal(english, fromPublic.Describe(English));
        Assert.Equal(french, Spaces().Replace(fromPublic.Describe(French), " "));
        await using var check = Database.Context();
        Assert.Equal((0, 0, 0, 0), (await check.AdvisorTasks.CountAsync(), await check.CallbackRequests.CountAsync(), await check.Outbox.CountAsync(),
            await check.Audit.CountAsync(e => e.Action == "callback.requested")));
    }

    private async Task<IReadOnlyList<MimeMessage>> DispatchAsync(Instant at)
    {
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
        await using (var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None)))
        {
            await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, new FakeClock(at)).DispatchAsync(at);
        }

        return server.Received;
    }

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
