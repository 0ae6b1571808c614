using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Engagement;
using Renewals.Data;

namespace Renewals.Core.Feedback;

/// <summary>A comment left with an answer, as the scorecard lists it.</summary>
public sealed record FeedbackComment(Instant GivenAt, string Account, string Source, bool Useful, int Rating, string Text);

/// <summary>
/// One advisor's figures for one month. Surveys count in the month they were sent, their
/// answers with them (so the response rate compares like with like); feedback from the web
/// account counts in the month it was given. The share useful and the average rating cover
/// every answer of the month, from a survey or from the web account; null when there is none.
/// </summary>
/// <param name="ResponseRate">Surveys answered / surveys sent, rounded to 4 places; null when none was sent.</param>
/// <param name="ShareUseful">Answers saying useful / answers, rounded to 4 places.</param>
/// <param name="AverageRating">Mean rating, rounded to 2 places.</param>
/// <param name="Comments">Newest first.</param>
public sealed record AdvisorMonthScore(
    long AdvisorId, string Advisor, int SurveysSent, int SurveysAnswered, int PortalAnswers, decimal? ResponseRate, decimal? ShareUseful, decimal? AverageRating,
    IReadOnlyList<FeedbackComment> Comments)
{
    public int Answers => SurveysAnswered + PortalAnswers;
}

/// <summary>A month of the scorecard: every advisor with a survey sent or an answer given in it, by name.</summary>
public sealed record ScorecardMonth(YearMonth Month, IReadOnlyList<AdvisorMonthScore> Advisors);

/// <summary>
/// The administrators' scorecard of feedback on the advisors, month by month (the vendor's own
/// months, in <see cref="TimeZoneId"/>), newest month first, worked out from the stored surveys
/// and answers.
/// </summary>
public sealed class FeedbackScorecardService(RenewalsDbContext db, IClock clock, Invoicing.Seller seller)
{
    /// <summary>Months are the vendor's: those of its own time zone.</summary>
    public string TimeZoneId => seller.TimeZoneId;

    /// <summary>The scorecard of the last <paramref name="months"/> months, this one included.</summary>
    public async Task<IReadOnlyList<ScorecardMonth>> ReadAsync(Actor actor, int months = 12, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        var zone = DateTimeZoneProviders.Tzdb[TimeZoneId];
        var thisMonth = clock.GetCurrentInstant().InZone(zone).Date.ToYearMonth();
        var first = thisMonth.OnDayOfMonth(1).PlusMonths(1 - months);
        var since = first.AtStartOfDayInZone(zone).ToInstant();

        var surveys = await db.FeedbackSurveys.AsNoTracking().Where(s => s.SentAt >= since)
            .Select(s => new { s.Id, s.AdvisorId, s.SentAt }).ToListAsync(ct);
        var surveyIds = surveys.Select(s => s.Id).ToList();
        var answers = await db.AdvisorFeedback.AsNoTracking()
            .Where(a => (a.SurveyId != null && surveyIds.Contains(a.SurveyId.Value)) || (a.SurveyId == null && a.GivenAt >= since))
            .Join(db.Accounts, a => a.AccountId, c => c.Id, (a, c) => new { Answer = a, Account = c.Name })
            .ToListAsync(ct);
        var sentAt = surveys.ToDictionary(s => s.Id, s => s.SentAt);
        var advisorIds = surveys.Select(s => s.AdvisorId).Concat(answers.Select(a => a.Answer.AdvisorId)).Distinct().ToList();
        var names = await db.Advisors.AsNoTracking().Where(a => advisorIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);

        YearMonth MonthOf(Instant at) => at.InZone(zone).Date.ToYearMonth();
        var sent = surveys.GroupBy(s => (MonthOf(s.SentAt), s.AdvisorId)).ToDictionary(g => g.Key, g => g.Count());
        var given = answers.GroupBy(a => (MonthOf(a.Answer.SurveyId is { } id ? sentAt[id] : a.Answer.GivenAt), a.Answer.AdvisorId))
            .ToDictionary(g => g.Key, g => g.ToList());

        return [.. sent.Keys.Concat(given.Keys).Distinct()
            .GroupBy(key => key.Item1)
            .OrderByDescending(g => g.Key)
            .Select(month => new ScorecardMonth(month.Key, [.. month
                .Select(key =>
                {
                    var count = sent.GetValueOrDefault(key);
                    var mine = given.GetValueOrDefault(key) ?? [];
                    var answered = mine.Count(a => a.Answer.SurveyId != null);
                    return new AdvisorMonthScore(
                        key.AdvisorId, names[key.AdvisorId], count, answered, mine.Count - answered,
                        count == 0 ? null : Math.Round((decimal)answered / count, 4),
                        mine.Count == 0 ? null : Math.Round((decimal)mine.Count(a => a.Answer.Useful) / mine.Count, 4),
                        mine.Count == 0 ? null : Math.Round((decimal)mine.Sum(a => a.Answer.Rating) / mine.Count, 2),
                        [.. mine.Where(a => a.Answer.Comment is not null)
                            .OrderByDescending(a => a.Answer.GivenAt).ThenByDescending(a => a.Answer.Id)
                            .Select(a => new FeedbackComment(a.Answer.GivenAt, a.Account, a.Answer.Source, a.Answer.Useful, a.Answer.Rating, a.Answer.Comment!))]);
                })
                .OrderBy(s => s.Advisor, StringComparer.CurrentCulture).ThenBy(s => s.AdvisorId)]))];
    }
}
