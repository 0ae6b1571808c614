using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Engagement;
using Renewals.Core.Feedback;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteFeedbackTests() : FeedbackTests(DatabaseProvider.Sqlite);

public sealed class PostgresFeedbackTests() : FeedbackTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Feedback on the advisor: one survey per meeting held and per callback done, written with the
/// interaction (none for a meeting not held), mailed in the contact's language with a one-time
/// link; the link answers once, never twice, never after it expires, never for another
/// account's customer; the web account's feedback; the admins' scorecard against figures
/// worked out by hand; and the book's low-feedback flag. The clock starts on 1 December 2026
/// at 12:00Z (13:00 in Paris).
/// </summary>
public abstract partial class FeedbackTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task A_meeting_held_gets_one_survey_mailed_in_the_contacts_language_and_a_meeting_not_held_gets_none()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var account = await Book.AccountAsync("Acme", language: "fr", advisorId: advisor);
        var other = await Book.AccountAsync("Globex", advisorId: advisor);
        await using var db = Database.Context();
        var meetings = new AdvisorMeetingService(db, Clock);
        var held = await meetings.ScheduleAsync(new Actor.Advisor(advisor), NewMeeting.ForAccount(account.Id, new LocalDateTime(2026, 12, 3, 10, 0)));
        var missed = await meetings.ScheduleAsync(new Actor.Advisor(advisor), NewMeeting.ForAccount(other.Id, new LocalDateTime(2026, 12, 3, 15, 0)));
        Clock.Reset(Instant.FromUtc(2026, 12, 3, 17, 0));

        await meetings.RecordOutcomeAsync(new Actor.Advisor(advisor), held.Id, new MeetingOutcome(true, "Dashboards", null, "Train two users"));
        await Assert.ThrowsAsync<DomainException>(() => meetings.RecordOutcomeAsync(new Actor.Advisor(advisor), held.Id, new MeetingOutcome(true, "Again", null, null)));
        await meetings.RecordOutcomeAsync(new Actor.Advisor(advisor), missed.Id, new MeetingOutcome(false, null, null, null));

        await using var check = Database.Context();
        var survey = Assert.Single(await check.FeedbackSurveys.AsNoTracking().ToListAsync());
        Assert.Equal((FeedbackInteractions.Meeting, (long?)held.Id, (long?)null, advisor, account.Id, "fr"),
            (survey.Interaction, survey.ReviewMeetingId, survey.AdvisorTaskId, survey.AdvisorId, survey.AccountId, survey.Language));
        Assert.Equal((Instant.FromUtc(2026, 12, 3, 17, 0), Instant.FromUtc(2027, 1, 2, 17, 0), (Instant?)null), (survey.SentAt, survey.ExpiresAt, survey.AnsweredAt));
        Assert.Equal(64, survey.TokenHash.Length);
        Assert.Equal(1, await check.Audit.CountAsync(a => a.Action == "feedback.survey-sent" && a.EntityId == held.Id && a.Actor == $"advisor:{advisor}"));

        var mail = Assert.Single(await DispatchAsync(Instant.FromUtc(2026, 12, 3, 17, 1)), m => m.Subject?.Contains("utile", StringComparison.Ordinal) == true);
        Assert.Equal("jane@acme.example", Assert.Single(mail.To.Mailboxes).Address);
        Assert.Equal("Votre rendez-vous avec Camille Laurent vous a-t-il été utile ?", Spaces().Replace(mail.Subject ?? "", " "));
        var text = Spaces().Replace(mail.TextBody ?? "", " ");
        Assert.Contains("Vous avez fait le point avec Camille Laurent le 3 décembre 2026.", text, StringComparison.Ordinal);
        Assert.Contains("pendant 30 jours", text, StringComparison.Ordinal);
        var token = Link().Match(text).Groups["token"].Value;
        // The link carries the token whose SHA-256 is stored, and the token itself is stored nowhere.
        Assert.Equal(survey.TokenHash, Sha256Hex(token));
        Assert.Equal(0, await check.FeedbackSurveys.CountAsync(s => s.TokenHash == token));
    }

    [Fact]
    public async Task A_callback_done_gets_one_survey_and_a_callback_from_someone_no_contact_matches_gets_none()
    {
        var advisor = await Book.AdvisorAsync("Hugo Martin");
        var account = await Book.AccountAsync("Acme", advisorId: advisor);
        await using var db = Database.Context();
        var callbacks = new CallbackService(db, Clock, Invoicing.Seller.Default);
        var known = await callbacks.RequestFromPublicAsync(new CallbackInput("Jane Primary", "Acme", "jane@acme.example", "+33 1 23 45 67 89", "Seats", CallbackWindows.Any, "en"));
        var stranger = await callbacks.RequestFromPublicAsync(new CallbackInput("Sam Stone", "Initech", "sam@initech.example", "+33 1 23 45 67 89", "Seats", CallbackWindows.Any, "en"));
        var tasks = new AdvisorTaskService(db, Clock);
        await tasks.TakeAsync(new Actor.Advisor(advisor), stranger.TaskId);

        await tasks.CloseAsync(new Actor.Advisor(advisor), known.TaskId, "Called, quote sent");
        var twice = await Assert.ThrowsAsync<DomainException>(() => tasks.CloseAsync(new Actor.Advisor(advisor), known.TaskId, "Again"));
        await tasks.CloseAsync(new Actor.Advisor(advisor), stranger.TaskId, "Called, not a customer");

        Assert.Equal(DomainErrors.AdvisorTaskClosed, twice.Code);
        await using var check = Database.Context();
        var survey = Assert.Single(await check.FeedbackSurveys.AsNoTracking().ToListAsync());
        Assert.Equal((FeedbackInteractions.Callback, (long?)known.TaskId, (long?)null, advisor, account.Id, "en"),
            (survey.Interaction, survey.AdvisorTaskId, survey.ReviewMeetingId, survey.AdvisorId, survey.AccountId, survey.Language));
        Assert.Equal(1, await check.Outbox.CountAsync(m => m.Template == MessageKinds.FeedbackSurvey));
        var mail = Assert.Single(await DispatchAsync(Instant.FromUtc(2026, 12, 1, 12, 5)), m => m.Subject?.StartsWith("How was", StringComparison.Ordinal) == true);
        Assert.Equal("How was your call with Hugo Martin?", mail.Subject);
        Assert.Contains("Hugo Martin called you back on 1 December 2026.", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_survey_link_answers_once_and_never_again_and_stores_nothing_when_used_expired_unknown_or_refused()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var account = await Book.AccountAsync("Acme", advisorId: advisor);
        var other = await Book.AccountAsync("Globex", advisorId: advisor);
        var (token, surveyId) = await SurveyAsync(advisor, account.Id, Instant.FromUtc(2026, 11, 20, 9, 0));
        var (late, _) = await SurveyAsync(advisor, account.Id, Instant.FromUtc(2026, 10, 1, 9, 0));
        await using var db = Database.Context();
        var feedback = new FeedbackService(db, Clock);
        var good = new FeedbackInput(true, 4, "  Clear and quick.  ");

        var shown = await feedback.OpenAsync(token, SurveyVisitor.Anonymous);
        var notTheirs = await feedback.OpenAsync(token, new SurveyVisitor.Customer(new PortalCustomer(other.Id)));
        var staff = await feedback.AnswerAsync(token, SurveyVisitor.SignedInStaff, good);
        var tooHigh = await Assert.ThrowsAsync<DomainException>(() => feedback.AnswerAsync(token, SurveyVisitor.Anonymous, good with { Rating = 6 }));
        var tooLow = await Assert.ThrowsAsync<DomainException>(() => feedback.AnswerAsync(token, SurveyVisitor.Anonymous, good with { Rating = 0 }));
        var noUseful = await Assert.ThrowsAsync<DomainException>(() => feedback.AnswerAsync(token, SurveyVisitor.Anonymous, good with { Useful = null }));
        var tooLong = await Assert.ThrowsAsync<DomainException>(() => feedback.AnswerAsync(token, SurveyVisitor.Anonymous, good with { Comment = new string('x', 1001) }));
        Assert.Equal(0, await db.AdvisorFeedback.CountAsync());

        var first = await feedback.AnswerAsync(token, new SurveyVisitor.Customer(new PortalCustomer(account.Id)), good);
        var second = await feedback.AnswerAsync(token, SurveyVisitor.Anonymous, new FeedbackInput(false, 1, "Changed my mind"));
        var after = await feedback.OpenAsync(token, SurveyVisitor.Anonymous);
        var expired = await feedback.AnswerAsync(late, SurveyVisitor.Anonymous, good);
        var unknown = await feedback.AnswerAsync("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", SurveyVisitor.Anonymous, good);
        var garbage = await feedback.OpenAsync("../../etc/passwd", SurveyVisitor.Anonymous);

        Assert.Equal(new SurveyView(SurveyState.Open, "Camille Laurent", FeedbackInteractions.Meeting, new LocalDate(2026, 11, 20)), shown);
        Assert.Null(notTheirs);
        Assert.Null(staff);
        Assert.Equal(
            [DomainErrors.FeedbackRatingOutOfRange, DomainErrors.FeedbackRatingOutOfRange, DomainErrors.FeedbackUsefulRequired, DomainErrors.FeedbackCommentTooLong],
            new[] { tooHigh, tooLow, noUseful, tooLong }.Select(e => e.Code));
        Assert.Equal("Choose a rating from 1 to 5.", tooHigh.Describe(System.Globalization.CultureInfo.GetCultureInfo("en")));
        Assert.Equal("Choisissez une note de 1 à 5.", tooHigh.Describe(System.Globalization.CultureInfo.GetCultureInfo("fr")));
        Assert.Equal((SurveyAnswer.Recorded, SurveyAnswer.AlreadyAnswered, SurveyAnswer.Expired, SurveyAnswer.Unknown), (first, second, expired, unknown));
        Assert.Equal(new SurveyView(SurveyState.Answered, null, null, null), after);
        Assert.Equal(SurveyState.Unknown, garbage!.State);

        await using var check = Database.Context();
        var answer = Assert.Single(await check.AdvisorFeedback.AsNoTracking().ToListAsync());
        Assert.Equal(((long?)surveyId, advisor, account.Id, FeedbackSources.Survey, true, 4, "Clear and quick.", Clock.GetCurrentInstant()),
            (answer.SurveyId, answer.AdvisorId, answer.AccountId, answer.Source, answer.Useful, answer.Rating, answer.Comment, answer.GivenAt));
        Assert.Equal(Clock.GetCurrentInstant(), (await check.FeedbackSurveys.AsNoTracking().SingleAsync(s => s.Id == surveyId)).AnsweredAt);
        Assert.Equal(1, await check.Audit.CountAsync(a => a.Action == "feedback.answered" && a.EntityId == surveyId));
    }

    [Fact]
    public async Task Feedback_from_the_web_account_is_about_the_accounts_advisor_and_refused_when_none_is_assigned()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var account = await Book.AccountAsync("Acme", advisorId: advisor);
        var orphan = await Book.AccountAsync("Globex");
        await using var db = Database.Context();
        var feedback = new FeedbackService(db, Clock);

        Assert.Equal(new PortalFeedbackView("Camille Laurent"), await feedback.ForPortalAsync(new PortalCustomer(account.Id)));
        Assert.Equal(new PortalFeedbackView(null), await feedback.ForPortalAsync(new PortalCustomer(orphan.Id)));
        var refused = await Assert.ThrowsAsync<DomainException>(() => feedback.GiveFromPortalAsync(new PortalCustomer(orphan.Id), "jane@globex.example", new FeedbackInput(true, 5, null)));
        var bad = await Assert.ThrowsAsync<DomainException>(() => feedback.GiveFromPortalAsync(new PortalCustomer(account.Id), "jane@acme.example", new FeedbackInput(true, 9, null)));
        await feedback.GiveFromPortalAsync(new PortalCustomer(account.Id), "JANE@acme.example", new FeedbackInput(false, 2, ""));

        Assert.Equal((DomainErrors.FeedbackNoAdvisor, DomainErrors.FeedbackRatingOutOfRange), (refused.Code, bad.Code));
        await using var check = Database.Context();
        var answer = Assert.Single(await check.AdvisorFeedback.AsNoTracking().ToListAsync());
        var jane = await check.Contacts.Where(c => c.Email == "jane@acme.example").Select(c => c.Id).SingleAsync();
        Assert.Equal(((long?)null, advisor, account.Id, (long?)jane, FeedbackSources.Portal, false, 2, (string?)null),
            (answer.SurveyId, answer.AdvisorId, answer.AccountId, answer.ContactId, answer.Source, answer.Useful, answer.Rating, answer.Comment));
        Assert.Equal(1, await check.Audit.CountAsync(a => a.Action == "feedback.given" && a.Actor == $"customer:{account.Id}"));
    }

    /// <summary>
    /// Worked out by hand (months in Paris). November, Alice: 3 sent, 2 of them answered (5 useful;
    /// 2 not useful, answered in December), 1 from the web account (4 useful): 2/3 answered,
    /// 2 of 3 answers useful, (5+2+4)/3 = 3.67. November, Bruno: 1 sent on 30 November at 23:30
    /// Paris (22:30Z), answered 4 useful. December, Alice: 1 sent, answered 3 useful. December,
    /// Bruno: 1 sent at 00:30 Paris on 1 December (23:30Z on 30 November), unanswered, and a web
    /// account answer 1 not useful: 0/1 answered, 0 useful, 1.00. One survey of December 2025 is
    /// past the 12 months; Chloé, without any, is absent.
    /// </summary>
    [Fact]
    public async Task The_scorecard_gives_each_advisors_month_the_figures_worked_out_by_hand()
    {
        var alice = await Book.AdvisorAsync("Alice Martin");
        var bruno = await Book.AdvisorAsync("Bruno Petit");
        await Book.AdvisorAsync("Chloé Roux");
        var acme = await Book.AccountAsync("Acme", advisorId: alice);
        var globex = await Book.AccountAsync("Globex", advisorId: bruno);
        var s1 = await SurveyAsync(alice, acme.Id, Instant.FromUtc(2026, 11, 3, 9, 0));
        var s2 = await SurveyAsync(alice, acme.Id, Instant.FromUtc(2026, 11, 10, 9, 0));
        await SurveyAsync(alice, acme.Id, Instant.FromUtc(2026, 11, 20, 9, 0));
        var s4 = await SurveyAsync(bruno, globex.Id, Instant.FromUtc(2026, 11, 30, 22, 30));
        await SurveyAsync(bruno, globex.Id, Instant.FromUtc(2026, 11, 30, 23, 30));
        var s6 = await SurveyAsync(alice, acme.Id, Instant.FromUtc(2026, 12, 1, 9, 0));
        var old = await SurveyAsync(alice, acme.Id, Instant.FromUtc(2025, 12, 20, 9, 0));

        await AnswerAsync(s1.Token, Instant.FromUtc(2026, 11, 4, 8, 0), new FeedbackInput(true, 5, "Very clear"));
        await AnswerAsync(old.Token, Instant.FromUtc(2025, 12, 21, 8, 0), new FeedbackInput(false, 1, "Too old to count"));
        await PortalAsync(acme.Id, Instant.FromUtc(2026, 11, 28, 8, 0), new FeedbackInput(true, 4, "Helpful from the web account"));
        await AnswerAsync(s4.Token, Instant.FromUtc(2026, 12, 1, 8, 0), new FeedbackInput(true, 4, "Good call"));
        await AnswerAsync(s2.Token, Instant.FromUtc(2026, 12, 2, 8, 0), new FeedbackInput(false, 2, null));
        await AnswerAsync(s6.Token, Instant.FromUtc(2026, 12, 3, 8, 0), new FeedbackInput(true, 3, "OK"));
        await PortalAsync(globex.Id, Instant.FromUtc(2026, 12, 5, 8, 0), new FeedbackInput(false, 1, "Never called back"));
        Clock.Reset(Instant.FromUtc(2026, 12, 15, 12, 0));

        await using var db = Database.Context();
        var scorecard = await new FeedbackScorecardService(db, Clock, Invoicing.Seller.Default).ReadAsync(new Actor.Admin("alice"));
        var refused = await Assert.ThrowsAsync<DomainException>(() => new FeedbackScorecardService(db, Clock, Invoicing.Seller.Default).ReadAsync(new Actor.Advisor(alice)));

        Assert.Equal(DomainErrors.AdministratorsOnly, refused.Code);
        Assert.Equal([new YearMonth(2026, 12), new YearMonth(2026, 11)], scorecard.Select(m => m.Month));
        var december = scorecard[0].Advisors;
        var november = scorecard[1].Advisors;
        Assert.Equal(["Alice Martin", "Bruno Petit"], november.Select(a => a.Advisor));
        Assert.Equal(["Alice Martin", "Bruno Petit"], december.Select(a => a.Advisor));
        Assert.Equal((3, 2, 1, 3, (decimal?)0.6667m, (decimal?)0.6667m, (decimal?)3.67m), Figures(november[0]));
        Assert.Equal(["Helpful from the web account", "Very clear"], november[0].Comments.Select(c => c.Text));
        Assert.Equal((1, 1, 0, 1, (decimal?)1m, (decimal?)1m, (decimal?)4m), Figures(november[1]));
        Assert.Equal(["Good call"], november[1].Comments.Select(c => c.Text));
        Assert.Equal((1, 1, 0, 1, (decimal?)1m, (decimal?)1m, (decimal?)3m), Figures(december[0]));
        Assert.Equal((1, 0, 1, 1, (decimal?)0m, (decimal?)0m, (decimal?)1m), Figures(december[1]));
        var comment = Assert.Single(december[1].Comments);
        Assert.Equal(("Never called back", "Globex", FeedbackSources.Portal, false, 1), (comment.Text, comment.Account, comment.Source, comment.Useful, comment.Rating));
    }

    [Fact]
    public async Task The_book_flags_an_account_whose_last_feedback_within_twelve_months_was_low()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var low = await Book.AccountAsync("Acme", advisorId: advisor);
        var mended = await Book.AccountAsync("Globex", advisorId: advisor);
        var useless = await Book.AccountAsync("Initech", advisorId: advisor);
        var longAgo = await Book.AccountAsync("Umbrella", advisorId: advisor);
        foreach (var account in new[] { low, mended, useless, longAgo })
        {
            // The book's flags are its subscriptions'.
            await Book.SellAsync(account.Id, new LocalDate(2026, 9, 1));
        }

        await PortalAsync(low.Id, Instant.FromUtc(2026, 6, 1, 8, 0), new FeedbackInput(true, 2, null));
        await PortalAsync(mended.Id, Instant.FromUtc(2026, 6, 1, 8, 0), new FeedbackInput(false, 1, null));
        await PortalAsync(mended.Id, Instant.FromUtc(2026, 7, 1, 8, 0), new FeedbackInput(true, 4, null));
        await PortalAsync(useless.Id, Instant.FromUtc(2026, 8, 1, 8, 0), new FeedbackInput(false, 5, null));
        await PortalAsync(longAgo.Id, Instant.FromUtc(2025, 11, 30, 8, 0), new FeedbackInput(false, 1, null));
        Clock.Reset(Instant.FromUtc(2026, 12, 1, 12, 0));

        await using var db = Database.Context();
        var book = await new AdvisorBookService(db, Clock, Invoicing.Seller.Default).ListAsync(new Actor.Advisor(advisor));

        var flagged = book.Where(a => a.Risks.LowFeedback).Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Acme", "Initech"], flagged);
    }

    private static (int, int, int, int, decimal?, decimal?, decimal?) Figures(AdvisorMonthScore s) =>
        (s.SurveysSent, s.SurveysAnswered, s.PortalAnswers, s.Answers, s.ResponseRate, s.ShareUseful, s.AverageRating);

    /// <summary>A survey sent at <paramref name="sentAt"/> with a token of this test's own, stored as the product stores it (its SHA-256).</summary>
    private async Task<(string Token, long Id)> SurveyAsync(long advisorId, long accountId, Instant sentAt)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var db = Database.Context();
        var contact = await db.Contacts.Where(c => c.AccountId == accountId && c.Role == ContactRole.Primary).Select(c => c.Id).FirstAsync();
        var survey = new FeedbackSurvey
        {
            Interaction = FeedbackInteractions.Meeting, AdvisorId = advisorId, AccountId = accountId, ContactId = contact, TokenHash = Sha256Hex(token),
            Language = "en", SentAt = sentAt, ExpiresAt = sentAt.Plus(Duration.FromDays(30)),
        };
        db.FeedbackSurveys.Add(survey);
        await db.SaveChangesAsync();
        return (token, survey.Id);
    }

    private async Task AnswerAsync(string token, Instant at, FeedbackInput input)
    {
        Clock.Reset(at);
        await using var db = Database.Context();
        Assert.Equal(SurveyAnswer.Recorded, await new FeedbackService(db, Clock).AnswerAsync(token, SurveyVisitor.Anonymous, input));
    }

    private async Task PortalAsync(long accountId, Instant at, FeedbackInput input)
    {
        Clock.Reset(at);
        await using var db = Database.Context();
        await new FeedbackService(db, Clock).GiveFromPortalAsync(new PortalCustomer(accountId), null, input);
    }

    private static string Sha256Hex(string base64Url)
    {
        var padded = base64Url.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.ToHexString(SHA256.HashData(Convert.FromBase64String(padded))).ToLowerInvariant();
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

    [GeneratedRegex(@"/feedback/(?<token>[A-Za-z0-9_-]{43})\?culture=(en|fr)")]
    private static partial Regex Link();

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
