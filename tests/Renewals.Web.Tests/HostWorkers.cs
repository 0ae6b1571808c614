using Renewals.Core.Access;
using Renewals.Core.Engine;
using Renewals.Core.Tasks;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// What the shared host's background workers write while a test runs: the engine at each day
/// start, its collection pass, the newsletter worker and the outbox dispatcher. A check that a
/// refused request wrote nothing leaves these rows out and counts every other one.
/// </summary>
public static class HostWorkers
{
    /// <summary>
    /// The audit actors of the workers: the engine ("engine", <see cref="EngineOptions.Actor"/>), the
    /// collection pass and the newsletter worker ("operator", <see cref="Actor.OperatorConsole"/>), the
    /// outbox dispatcher ("dispatcher", OutboxDispatcher). No web request writes as one of them.
    /// </summary>
    public static IReadOnlyList<string> AuditActors { get; } = [new EngineOptions().Actor, new Actor.OperatorConsole().AuditName, "dispatcher"];

    /// <summary>The advisor task kinds the engine writes, always for a key date (a milestone).</summary>
    public static IReadOnlyList<string> EngineTaskKinds { get; } = TaskKinds.All;

    /// <summary>The audit rows the workers did not write.</summary>
    public static IQueryable<AuditEntry> NotByWorkers(this IQueryable<AuditEntry> audit) =>
        audit.Where(a => !AuditActors.Contains(a.Actor));

    /// <summary>The advisor tasks the engine did not write: every task but those of its kinds made for a key date.</summary>
    public static IQueryable<AdvisorTask> NotByEngine(this IQueryable<AdvisorTask> tasks) =>
        tasks.Where(t => t.MilestoneId == null || !EngineTaskKinds.Contains(t.Kind));
}
