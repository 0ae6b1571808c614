using System.Reflection;
using Renewals.Core.Invoicing;

namespace Renewals.Core.Tests;

/// <summary>
/// The vendor's seller is a required dependency: no constructor or method of Core takes it as
/// optional or nullable, so a caller that forgets it does not compile, instead of silently
/// dating the books in the placeholder vendor's zone (Europe/Paris).
/// </summary>
public sealed class SellerDependencyTests
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void No_member_of_core_takes_the_seller_as_optional_or_nullable()
    {
        var nullability = new NullabilityInfoContext();
        var lax = SellerParameters()
            .Where(p => p.Parameter.IsOptional || p.Parameter.HasDefaultValue || nullability.Create(p.Parameter).ReadState != NullabilityState.NotNull)
            .Select(p => p.Name)
            .ToList();

        Assert.Empty(lax);
    }

    [Fact]
    public void The_scan_sees_the_services_that_date_the_books_by_the_seller()
    {
        // Written out by hand from the brief's list: the scan above would pass vacuously if it saw none of them.
        string[] expected =
        [
            "Renewals.Core.Messaging.OutboxDispatcher..ctor(seller)",
            "Renewals.Core.Messaging.MessagePurpose.OutdatedAsync(seller)",
            "Renewals.Core.Advisors.RenewalPipelineService..ctor(seller)",
            "Renewals.Core.Advisors.AdvisorBookService..ctor(seller)",
            "Renewals.Core.Advisors.BookFacts.ReadAsync(vendor)",
            "Renewals.Core.Payments.StatementImport..ctor(seller)",
            "Renewals.Core.Payments.PaymentService..ctor(seller)",
            "Renewals.Core.Payments.CollectionPass..ctor(seller)",
            "Renewals.Core.Feedback.FeedbackScorecardService..ctor(seller)",
            "Renewals.Core.Hosting.MailDelivery..ctor(seller)",
            "Renewals.Core.Partners.PartnerPortalService..ctor(seller)",
            "Renewals.Core.Newsletter.NewsletterService..ctor(seller)",
            "Renewals.Core.Engine.BookRun.Over(seller)",
            "Renewals.Core.Engagement.CallbackService..ctor(seller)",
            "Renewals.Core.Invoicing.InvoiceDocuments.LoadByNumberAsync(seller)",
            "Renewals.Core.Invoicing.CreditNoteDocuments.LoadByNumberAsync(seller)",
        ];

        Assert.Superset(expected.ToHashSet(), SellerParameters().Select(p => p.Name).ToHashSet());
    }

    /// <summary>
    /// Every parameter of type <see cref="Seller"/> of Core's constructors and methods, named
    /// type.member(parameter); the record's own members (Equals(Seller?), ==) compare sellers, they do not depend on one.
    /// </summary>
    private static IEnumerable<(string Name, ParameterInfo Parameter)> SellerParameters() =>
        from type in typeof(Seller).Assembly.GetTypes()
        where type != typeof(Seller)
        from member in type.GetConstructors(Declared).Cast<MethodBase>().Concat(type.GetMethods(Declared))
        from parameter in member.GetParameters()
        where parameter.ParameterType == typeof(Seller)
        select ($"{type.FullName}.{member.Name}({parameter.Name})", parameter);
}
