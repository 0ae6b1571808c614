using Renewals.Core.Messaging;

namespace Renewals.Core.Tests;

/// <summary>The shipped templates rendered with sample values, without a database.</summary>
public sealed class MessageRendererTests
{
    private static readonly MessageRenderer Renderer = new(TemplateLibrary.FromSetting(null));

    [Fact]
    public void Every_shipped_template_parses()
    {
        Assert.Empty(TemplateLibrary.FromSetting(null).Check());
    }

    [Theory]
    [InlineData("fr", "après la date limite du 16 novembre 2029", "prend fin au terme de ce renouvellement, le 15 janvier 2031")]
    [InlineData("en", "after the deadline of 16 November 2029", "at the end of that renewal, on 15 January 2031")]
    public async Task A_late_cancellation_is_acknowledged_with_the_date_it_takes_effect(string language, string late, string effect)
    {
        var model = MessageSamples.Model(MessageKinds.CancellationAcknowledgement, language);
        model["on_time"] = false;
        model["received_on"] = "2029-11-17";
        model["effective_end_date"] = "2031-01-15";

        var message = await Renderer.RenderAsync(MessageKinds.CancellationAcknowledgement, language, model);

        Assert.Contains(late, message.Text, StringComparison.Ordinal);
        Assert.Contains(effect, message.Text, StringComparison.Ordinal);
        Assert.Contains("2031", message.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reminder_names_only_the_actions_that_still_apply()
    {
        var model = MessageSamples.Model(MessageKinds.Reminder, "fr");
        model["actions"] = new List<object?> { "check-with-stakeholders", "contact-advisor", "see-web-account" };

        var message = await Renderer.RenderAsync(MessageKinds.Reminder, "fr", model);

        Assert.DoesNotContain("bon de commande", message.Text, StringComparison.Ordinal);
        Assert.Contains("Consultez vos interlocuteurs internes", message.Text, StringComparison.Ordinal);
        Assert.Contains("(dans 60 jours)", message.Subject.Replace('\u00A0', ' '), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Values_are_escaped_in_the_html_part_and_left_as_written_in_the_text_part()
    {
        var model = MessageSamples.Model(MessageKinds.Welcome, "en");
        model["account"] = new Dictionary<string, object?> { ["name"] = "<script>alert('x')</script> & Co" };

        var message = await Renderer.RenderAsync(MessageKinds.Welcome, "en", model);

        Assert.DoesNotContain("<script>", message.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", message.Html, StringComparison.Ordinal);
        Assert.Contains("<script>alert('x')</script> & Co", message.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fr", "1er mars 2028")]
    [InlineData("en", "1 March 2028")]
    public async Task The_first_of_the_month_is_written_the_way_each_language_writes_it(string language, string expected)
    {
        var model = MessageSamples.Model(MessageKinds.SubscriptionEnded, language);
        model["ended_on"] = "2028-03-01";

        var message = await Renderer.RenderAsync(MessageKinds.SubscriptionEnded, language, model);

        Assert.Contains(expected, message.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_template_file_is_reported_by_name()
    {
        var empty = Path.Combine(Path.GetTempPath(), "renewals-empty-" + Guid.NewGuid().ToString("N"));
        var renderer = new MessageRenderer(new TemplateLibrary(empty));

        var error = await Assert.ThrowsAsync<TemplateException>(() =>
            renderer.RenderAsync(MessageKinds.Welcome, "fr", MessageSamples.Model(MessageKinds.Welcome, "fr")));

        Assert.Equal(Path.Combine("fr", "welcome.subject.liquid"), error.Template);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }
}
