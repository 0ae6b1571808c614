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
    [InlineData("fr", "après la date limite du 16 novembre 2029", "prend fin au terme de ce renouvellement\u00A0: son dernier jour est le 14 janvier 2031")]
    [InlineData("en", "after the deadline of 16 November 2029", "at the end of that renewal: its last day is 14 January 2031")]
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

    [Theory]
    [InlineData("2029-11-16", "Unless we receive a written cancellation by 16 November 2029")] // the deadline day: still ahead
    [InlineData("2029-11-17", "The notice period for this term ended on 16 November 2029")] // the day after
    public async Task A_confirmation_letter_read_after_the_deadline_does_not_present_it_as_ahead(string today, string expected)
    {
        var model = MessageSamples.Model(MessageKinds.ConfirmationLetter, "en", today: NodaTime.Text.LocalDatePattern.Iso.Parse(today).Value);

        var message = await Renderer.RenderAsync(MessageKinds.ConfirmationLetter, "en", model);

        Assert.Contains(expected, message.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2030-01-14", "Download it and install it before 15 January 2030")]
    [InlineData("2030-01-15", "It is valid now")] // sent on the first day: nothing to do "before" it
    public async Task A_licence_message_asks_for_nothing_before_the_day_it_is_read(string today, string expected)
    {
        var model = MessageSamples.Model(MessageKinds.LicenceAvailable, "en", today: NodaTime.Text.LocalDatePattern.Iso.Parse(today).Value);

        var message = await Renderer.RenderAsync(MessageKinds.LicenceAvailable, "en", model);

        Assert.Contains(expected, message.Text, StringComparison.Ordinal);
        Assert.Contains("valid from 15 January 2030 to 14 January 2031 inclusive", message.Text, StringComparison.Ordinal);
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
        // Ended on 2 March: its last day, the one the message writes, is the 1st.
        model["ended_on"] = "2028-03-02";

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
