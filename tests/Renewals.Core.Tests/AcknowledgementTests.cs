using System.Text.RegularExpressions;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Cancellations;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Domain.Cancellations;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteAcknowledgementTests() : AcknowledgementTests(DatabaseProvider.Sqlite);

public sealed class PostgresAcknowledgementTests() : AcknowledgementTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The acknowledgement of a written notice names who sent it: the customer, or the partner
/// that filed it for the customer. A one-year term from 15 January 2027 sold through Northwind
/// Resellers (90 days' notice, only the partner files); the notice arrives on 1 October 2027.
/// </summary>
public abstract partial class AcknowledgementTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Theory]
    [InlineData("en", "We received the written cancellation sent on your behalf by your partner Northwind Resellers on 1 October 2027.", "cancellation of Acme")]
    [InlineData("fr", "Nous avons reçu la résiliation écrite envoyée pour vous par votre partenaire Northwind Resellers le 1er octobre 2027.", "envoyée par Acme")]
    public async Task A_notice_filed_by_the_partner_is_acknowledged_as_sent_by_the_partner(string language, string expected, string notExpected)
    {
        var contract = await Book.PartnerContractAsync(noticeDays: 90, filedByPartnerOnly: true, name: "Northwind Resellers");
        var account = await Book.AccountAsync("Acme", language: language);
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, partnerContractId: contract);
        Clock.Reset(Instant.FromUtc(2027, 10, 1, 9, 0));
        await using (var db = Database.Context())
        {
            await new CancellationService(db, Clock).FileAsync(
                subscription.Id, new WrittenNotice(Clock.GetCurrentInstant(), NoticeChannel.PostalLetter, "Northwind Resellers", new string('c', 64), NoticeFiler.Partner), "test");
        }

        var acknowledgement = (await DispatchAsync(Instant.FromUtc(2027, 10, 1, 10, 0))).Single(m => m.Headers["X-Renewals-Template"] == MessageKinds.CancellationAcknowledgement);

        var text = Spaces().Replace(acknowledgement.TextBody ?? "", " ");
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain(notExpected, text, StringComparison.Ordinal);
        Assert.DoesNotContain(notExpected, Spaces().Replace(acknowledgement.HtmlBody ?? "", " "), StringComparison.Ordinal);
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
