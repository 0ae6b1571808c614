using System.Linq.Expressions;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Access;

/// <summary>
/// Who is asking. Services that show or change data take one and check ownership themselves,
/// so a page cannot forget to: an advisor reaches its book and the unassigned queue, a partner
/// its own customers, an administrator or the operator everything.
/// </summary>
public abstract record Actor
{
    private Actor()
    {
    }

    /// <summary>How the audit trail names the actor: "advisor:3", "partner:7", "admin:alice", "operator".</summary>
    public abstract string AuditName { get; }

    /// <summary>Sees every account: the people who run the system.</summary>
    public bool SeesEverything => this is Admin or OperatorConsole;

    /// <summary>A renewal advisor; its book is the accounts whose advisor it is.</summary>
    public sealed record Advisor(long Id) : Actor
    {
        public override string AuditName => $"advisor:{Id}";
    }

    /// <summary>A reseller; its customers are the accounts it sold to.</summary>
    public sealed record Partner(long Id) : Actor
    {
        public override string AuditName => $"partner:{Id}";
    }

    /// <summary>A person administering the system, named by the user name they signed in with.</summary>
    public sealed record Admin(string User) : Actor
    {
        public override string AuditName => $"admin:{User}";
    }

    /// <summary>The operator at the command line, and background jobs (CA1716 keeps "Operator" off a type name).</summary>
    public sealed record OperatorConsole() : Actor
    {
        public override string AuditName => "operator";
    }

    /// <summary>A person in finance (payments and collections), named by the user name they signed in with; reads every account's invoices.</summary>
    public sealed record Finance(string User) : Actor
    {
        public override string AuditName => $"finance:{User}";
    }

    /// <summary>Whether the actor may record payments, disputes and statements: finance, an administrator or the operator.</summary>
    public bool HandlesPayments => this is Finance || SeesEverything;

    /// <summary>Refuses anyone but finance, an administrator or the operator.</summary>
    public void RequireFinance()
    {
        if (!HandlesPayments)
        {
            throw new DomainException(DomainErrors.FinanceOnly);
        }
    }

    /// <summary>Refuses anyone but an administrator or the operator.</summary>
    public void RequireAdministrator()
    {
        if (!SeesEverything)
        {
            throw new DomainException(DomainErrors.AdministratorsOnly);
        }
    }
}

/// <summary>The accounts an actor may see: the one filter every service applies.</summary>
public static class ActorScope
{
    public static IQueryable<Account> VisibleTo(this IQueryable<Account> accounts, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return actor switch
        {
            Actor.Advisor advisor => accounts.Where(a => a.AdvisorId == advisor.Id),
            Actor.Partner partner => accounts.Where(a => a.PartnerId == partner.Id),
            Actor.Admin or Actor.OperatorConsole => accounts,
            Actor.Finance => accounts,
            _ => throw new ArgumentOutOfRangeException(nameof(actor), actor, null),
        };
    }

    /// <summary>Whether the actor may see <paramref name="account"/>.</summary>
    public static bool CanSee(this Actor actor, Account account)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(account);
        return actor switch
        {
            Actor.Advisor advisor => account.AdvisorId == advisor.Id,
            Actor.Partner partner => account.PartnerId == partner.Id,
            Actor.Finance => true,
            _ => actor.SeesEverything,
        };
    }

    /// <summary>
    /// The rows of <paramref name="rows"/> whose account (<paramref name="accountId"/>) the actor may
    /// see. No filter for an actor who sees every account: "in every account" made SQLite build the
    /// list of all of them for each page, 9 s a page of invoices at 1,000,000 (docs/performance.md).
    /// </summary>
    public static IQueryable<T> OfAccountsVisibleTo<T>(this IQueryable<T> rows, IQueryable<Account> accounts, Actor actor, Expression<Func<T, long>> accountId)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(accountId);
        if (actor.SeesEverything)
        {
            return rows;
        }

        var visible = accounts.VisibleTo(actor).Select(a => a.Id);
        var contains = Expression.Call(typeof(Queryable), nameof(Queryable.Contains), [typeof(long)], visible.Expression, accountId.Body);
        return rows.Where(Expression.Lambda<Func<T, bool>>(contains, accountId.Parameters));
    }
}
