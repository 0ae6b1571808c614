using NodaTime;
using NodaTime.Text;
using Renewals.Core.Conferences;

namespace Renewals.Web.Components.Conference;

/// <summary>An event form as posted: the dates as the browser's date fields send them (ISO).</summary>
public sealed class EventInput
{
    public string? Name { get; set; }

    public string? City { get; set; }

    public string? VenueName { get; set; }

    public string? VenueAddress { get; set; }

    /// <summary>A new event's form starts with the vendor's zone (<see cref="Core.Invoicing.Seller.TimeZoneId"/>, set by the page).</summary>
    public string? TimeZoneId { get; set; }

    public string? StartsOn { get; set; }

    public string? EndsOn { get; set; }

    public static EventInput From(ConferenceView e) => new()
    {
        Name = e.Name, City = e.City, VenueName = e.VenueName, VenueAddress = e.VenueAddress, TimeZoneId = e.TimeZoneId,
        StartsOn = LocalDatePattern.Iso.Format(e.StartsOn), EndsOn = LocalDatePattern.Iso.Format(e.EndsOn),
    };

    /// <summary>The service's input, or null with the field whose date does not read.</summary>
    public ConferenceInput? ToInput(out string? unreadable)
    {
        unreadable = null;
        if (Date(StartsOn) is not { } starts)
        {
            unreadable = StartsOn ?? "";
            return null;
        }

        if (Date(EndsOn) is not { } ends)
        {
            unreadable = EndsOn ?? "";
            return null;
        }

        return new ConferenceInput(Name, City, VenueName, VenueAddress, TimeZoneId, starts, ends);
    }

    private static LocalDate? Date(string? text) =>
        LocalDatePattern.Iso.Parse(text?.Trim() ?? "") is { Success: true } parsed ? parsed.Value : null;
}

/// <summary>A slot form as posted by the advisor: a date and a time local to the event, and a length.</summary>
public sealed class SlotInput
{
    public static IReadOnlyList<int> Lengths { get; } = [15, 20, ConferenceService.DefaultSlotMinutes, 45, 60];

    public string? Date { get; set; }

    public string? Time { get; set; }

    public int DurationMinutes { get; set; } = ConferenceService.DefaultSlotMinutes;

    /// <summary>The local start, or null when the date or the time does not read.</summary>
    public LocalDateTime? Start()
    {
        var date = LocalDatePattern.Iso.Parse(Date?.Trim() ?? "");
        var text = Time?.Trim() ?? "";
        // Browsers send "10:00", or "10:00:30" when seconds are set.
        var time = LocalTimePattern.CreateWithInvariantCulture(text.Length > 5 ? "HH:mm:ss" : "HH:mm").Parse(text);
        return date.Success && time.Success ? date.Value.At(time.Value) : null;
    }
}
