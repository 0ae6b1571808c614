using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Renewals.Testing;

/// <summary>
/// An independent reading of an .ics: Python's <c>icalendar</c> from Debian (python3-icalendar,
/// installed by test.sh), with its own time-zone database (pytz) to place DTSTART in UTC.
/// </summary>
public static class PythonIcalendar
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, json, datetime, icalendar
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
        ev = cal.walk('VEVENT')[0]
        def when(name):
            prop = ev[name]
            dt = prop.dt
            return {
                'value': prop.to_ical().decode(),
                'tzid': prop.params.get('TZID'),
                'local': dt.replace(tzinfo=None).isoformat(),
                'utc': dt.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ') if dt.tzinfo else None,
            }
        org, att = ev['ORGANIZER'], ev['ATTENDEE']
        print(json.dumps({
            'method': str(cal['METHOD']),
            'prodid': str(cal['PRODID']),
            'timezones': [str(tz['TZID']) for tz in cal.walk('VTIMEZONE')],
            'uid': str(ev['UID']),
            'sequence': int(ev['SEQUENCE']),
            'status': str(ev.get('STATUS')),
            'summary': str(ev.get('SUMMARY')),
            'location': str(ev['LOCATION']) if 'LOCATION' in ev else None,
            'dtstamp': ev['DTSTAMP'].to_ical().decode(),
            'dtstart': when('DTSTART'),
            'dtend': when('DTEND'),
            'organizer': str(org), 'organizerCn': str(org.params.get('CN')),
            'attendee': str(att), 'attendeeCn': str(att.params.get('CN')),
            'attendeeRole': str(att.params.get('ROLE')), 'attendeeRsvp': str(att.params.get('RSVP')),
        }))
        """;

    /// <summary>Parses <paramref name="ics"/> in a Python process and returns what it read, as JSON.</summary>
    public static async Task<JsonElement> ParseAsync(string ics)
    {
        var file = Path.Combine(Path.GetTempPath(), "renewals-ics-" + Guid.NewGuid().ToString("N")[..12] + ".ics");
        await File.WriteAllTextAsync(file, ics, new UTF8Encoding(false));
        try
        {
            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Script);
            start.ArgumentList.Add(file);
            start.Environment["PYTHONIOENCODING"] = "utf-8";
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"python icalendar refused the file (exit {process.ExitCode}): {await error}");
            }

            return JsonDocument.Parse(await output).RootElement.Clone();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
