using Renewals.Core.Messaging;

namespace Renewals.Core.Tests;

/// <summary>
/// Rule 8: a message writes the last day of a term or subscription, never the stored exclusive
/// end (the first day no longer covered). Ends on 1 March 2028 and 1 January 2030: last days
/// 29 February 2028 (a leap year) and 31 December 2029.
/// </summary>
public sealed class LastDayTests
{
    private static readonly MessageRenderer Renderer = new(TemplateLibrary.FromSetting(null));

    [Theory]
    [InlineData(MessageKinds.RenewalConfirmation, "en", "renewal_date", "2028-03-01",
        "Your subscription is renewed up to and including 29 February 2028", "to 29 February 2028 inclusive", "1 March 2028")]
    [InlineData(MessageKinds.RenewalConfirmation, "fr", "renewal_date", "2028-03-01",
        "Votre abonnement est renouvelé jusqu'au 29 février 2028 inclus", "au 29 février 2028 inclus", "1er mars 2028")]
    [InlineData(MessageKinds.CancellationAcknowledgement, "en", "effective_end_date", "2030-01-01",
        "We received your cancellation: the subscription's last day is 31 December 2029", "the subscription will not renew; its last day is 31 December 2029.", "1 January 2030")]
    [InlineData(MessageKinds.CancellationAcknowledgement, "fr", "effective_end_date", "2030-01-01",
        "Résiliation reçue : le dernier jour de l'abonnement est le 31 décembre 2029", "l'abonnement ne sera pas renouvelé et son dernier jour est le 31 décembre 2029.", "1er janvier 2030")]
    [InlineData(MessageKinds.SubscriptionEnded, "en", "ended_on", "2028-03-01",
        "Your subscription has ended: its last day was 29 February 2028", "has ended: its last day was 29 February 2028.", "1 March 2028")]
    [InlineData(MessageKinds.SubscriptionEnded, "fr", "ended_on", "2028-03-01",
        "Votre abonnement a pris fin : son dernier jour était le 29 février 2028", "a pris fin : son dernier jour était le 29 février 2028.", "1er mars 2028")]
    public async Task Every_end_is_written_as_its_last_day(string kind, string language, string field, string end, string subject, string text, string exclusiveEnd)
    {
        var model = MessageSamples.Model(kind, language);
        model[field] = end;
        if (kind == MessageKinds.RenewalConfirmation)
        {
            model["renewed_from"] = "2027-03-01";
        }

        var message = await Renderer.RenderAsync(kind, language, model);

        Assert.Equal(subject, Plain(message.Subject));
        Assert.Contains(text, Plain(message.Text), StringComparison.Ordinal);
        Assert.DoesNotContain(exclusiveEnd, Plain(message.Subject + message.Text + message.Html), StringComparison.Ordinal);
    }

    private static string Plain(string text) => text.Replace('\u00A0', ' ').Replace('\u202F', ' ').Trim();
}
