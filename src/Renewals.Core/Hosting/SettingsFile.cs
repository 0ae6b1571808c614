using System.Text.Json;
using System.Text.RegularExpressions;

namespace Renewals.Core.Hosting;

/// <summary>
/// The JSON settings file (appsettings.json) both programs read. A file that is not JSON, or
/// cannot be read, is a bad setting like any other: one line naming the file and where it
/// breaks, exit code 2, and nothing done, rather than a stack trace.
/// </summary>
public static partial class SettingsFile
{
    /// <summary>The settings file's name, read from the working folder (the command line) or the content root (the web).</summary>
    public const string Name = "appsettings.json";

    /// <summary>
    /// The bad setting behind <paramref name="error"/> when it is the configuration's failure to
    /// load a settings file (an <see cref="InvalidDataException"/> naming the file, with the
    /// <see cref="JsonException"/> that says where the JSON breaks); null for any other error.
    /// </summary>
    /// <param name="error">What loading the configuration threw.</param>
    /// <param name="path">The file, when the caller knows it; else it is read from the error's message.</param>
    public static SettingsException? Unreadable(Exception error, string? path = null)
    {
        if (error is not InvalidDataException)
        {
            return null;
        }

        path ??= QuotedPath().Match(error.Message) is { Success: true } quoted ? quoted.Groups[1].Value : Name;
        if (Find<JsonException>(error) is { } json)
        {
            var line = (json.LineNumber ?? 0) + 1;
            var column = (json.BytePositionInLine ?? 0) + 1;
            return new SettingsException(
                $"the settings file {path} is not valid JSON (line {line}, character {column}): correct it or remove it; nothing was done.")
            {
                Key = Name,
                Value = path,
                Line = line,
                Column = column,
            };
        }

        return Cannot(path, error);
    }

    /// <summary>A settings file that exists but cannot be read (no permission, a folder by that name, an I/O error).</summary>
    public static SettingsException Cannot(string path, Exception error)
    {
        var reason = (error.InnerException ?? error).Message.ReplaceLineEndings(" ").Trim();
        return new SettingsException($"the settings file {path} cannot be read ({reason}); nothing was done.")
        {
            Key = Name,
            Value = path,
            Reason = reason,
        };
    }

    private static T? Find<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
            }
        }

        return null;
    }

    // FileConfigurationProvider's "Failed to load configuration from file '{path}'."
    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedPath();
}
