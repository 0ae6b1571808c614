using Microsoft.Extensions.Options;
using Renewals.Core.Access;
using Renewals.Core.Hosting;
using Renewals.Core.Newsletter;

namespace Renewals.Web.Hosting;

/// <summary>
/// The newsletter inside the web host, beside the dispatchers: each pass writes the issues that
/// fell due to the outbox (the mail dispatcher then delivers them). A pass is a no-op when nothing is due.
/// </summary>
public sealed partial class NewsletterWorker(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<EngineScheduleOptions> schedule, ILogger<NewsletterWorker> logger)
    : RecurringPass(time, schedule)
{
    protected override async Task PassAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<NewsletterService>().SendDueAsync(new Actor.OperatorConsole(), ct: ct);
        foreach (var issue in result.Issues)
        {
            LogSent(logger, issue.IssueId, issue.Queued, issue.AlreadySent);
        }
    }

    protected override void Busy(string database) => LogBusy(logger, database);

    protected override void Failed(Exception failure) => LogFailed(logger, failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Newsletter: issue {Issue} written for {Queued} contacts ({Already} had it already)")]
    private static partial void LogSent(ILogger logger, long issue, int queued, int already);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Newsletter: {Database} is busy; trying again at the next turn")]
    private static partial void LogBusy(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Error, Message = "Newsletter pass failed; trying again at the next turn")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
