using System.CommandLine;
using System.CommandLine.Parsing;
using NodaTime;
using NodaTime.Text;
using Renewals.Cli.Text;

namespace Renewals.Cli.Commands;

/// <summary>Options shared by several commands, each validating its value in the user's language.</summary>
internal static class CommonOptions
{
    public static Option<string> Language(CliText text)
    {
        var option = new Option<string>(Languages.Option)
        {
            Description = text["Option.Lang"],
            Recursive = true,
            DefaultValueFactory = _ => "en",
        };
        option.AcceptOnlyFromAmong([.. Languages.Supported]);
        return option;
    }

    public static Option<LocalDate> Date(string name, string description, CliText text) => new(name)
    {
        Description = description,
        HelpName = "yyyy-mm-dd",
        CustomParser = result =>
        {
            var token = SingleToken(result);
            var parsed = LocalDatePattern.Iso.Parse(token);
            if (parsed.Success)
            {
                return parsed.Value;
            }

            result.AddError(text.Format("Error.Date", name, token));
            return default;
        },
    };

    public static Option<DateTimeZone> TimeZone(CliText text) => new("--time-zone")
    {
        Description = text["Option.TimeZone"],
        HelpName = "zone",
        CustomParser = result =>
        {
            var token = SingleToken(result);
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(token) is { } zone)
            {
                return zone;
            }

            result.AddError(text.Format("Error.TimeZone", token));
            return DateTimeZone.Utc;
        },
    };

    /// <summary>A comma-separated list of whole numbers of days, such as <c>120,60</c>.</summary>
    public static Option<int[]> DayList(string name, string description, CliText text, int[] defaults) => new(name)
    {
        Description = description,
        HelpName = "days,days",
        DefaultValueFactory = _ => defaults,
        CustomParser = result =>
        {
            var token = SingleToken(result);
            var parts = token.Split(',', StringSplitOptions.TrimEntries);
            var days = new int[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out days[i]))
                {
                    result.AddError(text.Format("Error.DayList", name, token));
                    return [];
                }
            }

            return days;
        },
    };

    public static Option<int> Number(string name, string description, CliText text, int? defaultValue = null)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            HelpName = "n",
            CustomParser = result =>
            {
                var token = SingleToken(result);
                if (int.TryParse(token, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                result.AddError(text.Format("Error.Number", name, token));
                return 0;
            },
        };
        if (defaultValue is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>The id of a stored row (a whole number above zero); absent reads as null.</summary>
    public static Option<long?> Id(string name, string description, CliText text) => new(name)
    {
        Description = description,
        HelpName = "id",
        CustomParser = result =>
        {
            var token = SingleToken(result);
            if (long.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                return id;
            }

            result.AddError(text.Format("Error.Number", name, token));
            return null;
        },
    };

    /// <summary>
    /// Marks options as required with an error in the user's language (the parser's own
    /// message for this is not translated).
    /// </summary>
    public static void Require(Command command, CliText text, params Option[] options)
    {
        command.Validators.Add(result =>
        {
            foreach (var option in options)
            {
                if (result.GetResult(option) is null)
                {
                    result.AddError(text.Format("Error.Required", option.Name));
                }
            }
        });
    }

    private static string SingleToken(ArgumentResult result) =>
        result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
}
