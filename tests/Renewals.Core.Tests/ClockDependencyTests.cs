using System.Reflection;
using NodaTime;

namespace Renewals.Core.Tests;

/// <summary>
/// The clock is a required dependency of the dispatchers (and of every other member of Core):
/// no constructor or method takes an <see cref="IClock"/> as optional or nullable, so a caller
/// that forgets it does not compile, instead of every delivery being stamped silently with the
/// pass's cut-off (a Date header, SentAt, audit row or signed webhook-timestamp minutes old).
/// </summary>
public sealed class ClockDependencyTests
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void No_member_of_core_takes_the_clock_as_optional_or_nullable()
    {
        var nullability = new NullabilityInfoContext();
        var lax = ClockParameters()
            .Where(p => p.Parameter.IsOptional || p.Parameter.HasDefaultValue || nullability.Create(p.Parameter).ReadState != NullabilityState.NotNull)
            .Select(p => p.Name)
            .ToList();

        Assert.Empty(lax);
    }

    [Fact]
    public void The_scan_sees_the_dispatchers_and_the_delivery_that_builds_them()
    {
        // Written out by hand from the brief's list: the scan above would pass vacuously if it saw none of them.
        string[] expected =
        [
            "Renewals.Core.Messaging.OutboxDispatcher..ctor(clock)",
            "Renewals.Core.Webhooks.WebhookDispatcher..ctor(clock)",
            "Renewals.Core.Hosting.MailDelivery..ctor(clock)",
        ];

        Assert.Superset(expected.ToHashSet(), ClockParameters().Select(p => p.Name).ToHashSet());
    }

    /// <summary>Every parameter of type <see cref="IClock"/> of Core's constructors and methods, named type.member(parameter).</summary>
    private static IEnumerable<(string Name, ParameterInfo Parameter)> ClockParameters() =>
        from type in typeof(Messaging.OutboxDispatcher).Assembly.GetTypes()
        from member in type.GetConstructors(Declared).Cast<MethodBase>().Concat(type.GetMethods(Declared))
        from parameter in member.GetParameters()
        where parameter.ParameterType == typeof(IClock)
        select ($"{type.FullName}.{member.Name}({parameter.Name})", parameter);
}
