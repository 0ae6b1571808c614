using System.Reflection;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Tests;

public class ArchitectureTests
{
    [Fact]
    public void The_domain_depends_on_nodatime_and_the_framework_only()
    {
        var references = typeof(RenewalTimeline).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !name.StartsWith("System", StringComparison.Ordinal) && name != "netstandard" && name != "mscorlib")
            .ToList();

        Assert.Equal(["NodaTime"], references);
    }

    [Fact]
    public void Every_domain_type_is_immutable_or_a_static_rule()
    {
        var mutable = typeof(RenewalTimeline).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && !typeof(Exception).IsAssignableFrom(t) && t.Namespace?.StartsWith("Renewals.Domain", StringComparison.Ordinal) == true)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true } setter
                    && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)))
                .Select(p => $"{t.Name}.{p.Name}"))
            .ToList();

        Assert.Empty(mutable);
    }
}
