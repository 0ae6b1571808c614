using System.Globalization;

namespace Renewals.LoadSeed;

/// <summary>
/// The command line of both modes (seeding, and --profile-book), read the one way: "--name value"
/// pairs and bare flags; an option neither mode knows prints the mode's usage.
/// </summary>
internal sealed class SeedArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private SeedArguments()
    {
    }

    /// <summary>The options of <paramref name="args"/>, or null (the usage printed) when one is not in <paramref name="options"/> or <paramref name="flags"/>.</summary>
    public static SeedArguments? Parse(string[] args, string usage, IReadOnlyCollection<string> options, IReadOnlyCollection<string>? flags = null)
    {
        var parsed = new SeedArguments();
        for (var i = 0; i < args.Length; i++)
        {
            if (flags?.Contains(args[i]) == true)
            {
                parsed._values[args[i]] = "";
            }
            else if (options.Contains(args[i]))
            {
                parsed._values[args[i]] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            }
            else
            {
                Console.Error.WriteLine(usage);
                return null;
            }
        }

        return parsed;
    }

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public int Number(string name, int fallback) =>
        _values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The option's value, or null with "renewals-load-seed: --db is required" printed.</summary>
    public string? Required(string name)
    {
        if (Text(name) is { } value)
        {
            return value;
        }

        Console.Error.WriteLine($"renewals-load-seed: {name} is required");
        return null;
    }
}
