using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Engine;
using Renewals.Core.Hosting;
using Renewals.Data;

namespace Renewals.Web.Hosting;

/// <summary>
/// The renewal engine inside the web host: once at start, then at each start of a day in the
/// accounts' time zones (or every <see cref="EngineScheduleOptions.IntervalMinutes"/> when set). On SQLite a second engine (another
/// instance, or the command line) makes this run wait for the next turn; on PostgreSQL any
/// number of instances share the work. Each run is the book's (<see cref="BookRun"/>: the engine,
/// then the collection pass at the same instant), as `renewals run` does it: this is the web
/// host's one collection pass (its reminders are days apart, and an invoice falls overdue when
/// the vendor's day begins, so the vendor's zone is one of the days it wakes for).
/// </summary>
public sealed partial class EngineWorker(
    BookRun book, RenewalsDatabase database, IClock clock, TimeProvider time, IOptions<EngineScheduleOptions> schedule, ILogger<EngineWorker> logger,
    Renewals.Core.Invoicing.Seller seller)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (result, collections) = await book.RunAsync(clock.GetCurrentInstant(), stoppingToken);
                if (result.Executed > 0)
                {
                    LogRun(logger, result.Done, result.Skipped);
                }

                if (collections.NewlyOverdue + collections.Reminders > 0)
                {
                    LogCollections(logger, collections.NewlyOverdue, collections.Reminders);
                }
            }
            catch (EngineBusyException busy)
            {
                LogBusy(logger, busy.Database);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed run changes nothing (its batch rolled back); the next turn tries again.
                LogFailed(logger, e);
            }

            try
            {
                await Task.Delay(await DelayAsync(stoppingToken), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<TimeSpan> DelayAsync(CancellationToken ct)
    {
        if (schedule.Value.IntervalMinutes is { } minutes)
        {
            return TimeSpan.FromMinutes(minutes);
        }

        var now = clock.GetCurrentInstant();
        IReadOnlyList<DateTimeZone> zones = [seller.Zone];
        try
        {
            zones = [.. await EngineSchedule.AccountZonesAsync(database, ct), seller.Zone];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }

        // A second after the day begins, so the new day's key dates are due when the engine looks.
        var wait = (EngineSchedule.NextStartOfDay(now, zones) - now).ToTimeSpan() + TimeSpan.FromSeconds(1);
        LogNext(logger, wait);
        return wait;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Engine: next run in {Wait}")]
    private static partial void LogNext(ILogger logger, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine: {Done} steps carried out, {Skipped} skipped")]
    private static partial void LogRun(ILogger logger, int done, int skipped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Collections: {Overdue} invoices newly overdue, {Reminders} reminders queued")]
    private static partial void LogCollections(ILogger logger, int overdue, int reminders);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine: another engine is working on {Database}; trying again at the next turn")]
    private static partial void LogBusy(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Error, Message = "Engine run failed; trying again at the next turn")]
    private static partial void LogFailed(ILogger logger, Exception error);
}

/// <summary>
/// A dispatcher's pass every <see cref="EngineScheduleOptions.DispatchSeconds"/> until the host
/// stops: a database another instance is working on, or a pass that fails, waits for the next turn.
/// </summary>
public abstract class RecurringPass(TimeProvider time, IOptions<EngineScheduleOptions> schedule) : BackgroundService
{
    protected abstract Task PassAsync(CancellationToken ct);

    protected abstract void Busy(string database);

    protected abstract void Failed(Exception failure);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(schedule.Value.DispatchSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (EngineBusyException busy)
            {
                Busy(busy.Database);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed(e);
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>The outbox dispatcher inside the web host: a pass every <see cref="EngineScheduleOptions.DispatchSeconds"/>.</summary>
public sealed partial class DispatchWorker(
    MailDelivery delivery, IClock clock, TimeProvider time, IOptions<EngineScheduleOptions> schedule, ILogger<DispatchWorker> logger)
    : RecurringPass(time, schedule)
{
    protected override async Task PassAsync(CancellationToken ct)
    {
        var result = await delivery.DispatchAsync(clock.GetCurrentInstant(), ct);
        if (result.Sent + result.Retrying + result.DeadLettered > 0)
        {
            LogDispatch(logger, result.Sent, result.Retrying, result.DeadLettered);
        }
    }

    protected override void Busy(string database) => LogBusy(logger, database);

    protected override void Failed(Exception failure) => LogFailed(logger, failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox: {Sent} sent, {Retrying} to retry, {Dead} dead-lettered")]
    private static partial void LogDispatch(ILogger logger, int sent, int retrying, int dead);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: another dispatcher is working on {Database}; trying again at the next turn")]
    private static partial void LogBusy(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox pass failed; trying again at the next turn")]
    private static partial void LogFailed(ILogger logger, Exception error);
}

/// <summary>The webhook dispatcher inside the web host, beside the mail dispatcher: a pass every <see cref="EngineScheduleOptions.DispatchSeconds"/>.</summary>
public sealed partial class WebhookWorker(
    Renewals.Core.Webhooks.WebhookDispatcher dispatcher, IClock clock, TimeProvider time, IOptions<EngineScheduleOptions> schedule, ILogger<WebhookWorker> logger)
    : RecurringPass(time, schedule)
{
    protected override async Task PassAsync(CancellationToken ct)
    {
        var result = await dispatcher.DispatchAsync(clock.GetCurrentInstant(), ct);
        if (result.Delivered + result.Retrying + result.Failed > 0)
        {
            LogDispatch(logger, result.Delivered, result.Retrying, result.Failed);
        }
    }

    protected override void Busy(string database) => LogBusy(logger, database);

    protected override void Failed(Exception failure) => LogFailed(logger, failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhooks: {Delivered} delivered, {Retrying} to retry, {Failed} given up")]
    private static partial void LogDispatch(ILogger logger, int delivered, int retrying, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhooks: another dispatcher is working on {Database}; trying again at the next turn")]
    private static partial void LogBusy(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook pass failed; trying again at the next turn")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
