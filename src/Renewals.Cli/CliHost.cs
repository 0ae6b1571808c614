using System.Collections;
using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Renewals.Core.Hosting;

namespace Renewals.Cli;

/// <summary>
/// The command line's Generic Host: the composition root the web uses too (<c>AddRenewals</c>),
/// built once the command line is parsed, over the same settings (appsettings.json in the
/// working folder, the RENEWALS_* variables, then --db), logging to standard error so that
/// standard output carries only what the command prints.
/// </summary>
internal static class CliHost
{
    public static IHost Build(CliContext context, ParseResult parse, IClock? clock, IReadOnlyDictionary<string, string?>? environment, TextWriter error)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // No default sources: the arguments are System.CommandLine's, and a test's settings
            // are its own (environment handed in), never the process's.
            DisableDefaults = true,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        AddSettingsFile(builder.Configuration, Path.Combine(builder.Environment.ContentRootPath, SettingsFile));
        builder.Configuration.AddRenewalsEnvironmentVariables(environment is null
            ? null
            : new Hashtable(environment.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value), StringComparer.Ordinal));
        if (parse.GetValue(context.DatabaseOption) is { Length: > 0 } database)
        {
            builder.Configuration.AddInMemoryCollection([new(RenewalsSettings.CommandLineSwitches["--db"], database)]);
        }

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddProvider(new ErrorLoggerProvider(error));

        // A command runs to its end: Ctrl+C stays System.CommandLine's, not the host's.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        // The command's one clock (a test's when handed in, else the host's TimeProvider's), which
        // a command may make stand at an instant: registered before AddRenewals, whose IClock yields to it.
        builder.Services.AddSingleton(sp => new CommandClock(clock ?? new TimeProviderClock(sp.GetRequiredService<TimeProvider>())));
        builder.Services.AddSingleton<IClock>(sp => sp.GetRequiredService<CommandClock>());

        builder.Services.AddRenewals(builder.Configuration);
        return builder.Build();
    }

    /// <summary>The settings file read from the working folder, when there is one.</summary>
    public const string SettingsFile = Core.Hosting.SettingsFile.Name;

    /// <summary>
    /// Reads the settings file at once (the configuration loads it when added), so that a file
    /// that is not JSON, or cannot be read, is a bad setting like any other.
    /// </summary>
    private static void AddSettingsFile(IConfigurationBuilder configuration, string path)
    {
        try
        {
            configuration.AddJsonFile(path, optional: true, reloadOnChange: false);
        }
        catch (InvalidDataException unreadable) when (Core.Hosting.SettingsFile.Unreadable(unreadable, path) is { } bad)
        {
            throw bad;
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            throw Core.Hosting.SettingsFile.Cannot(path, unreadable);
        }
    }

    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Log lines on the command's error writer ("warn: Category: message"), one per entry.</summary>
    private sealed class ErrorLoggerProvider(TextWriter error) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ErrorLogger(error, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class ErrorLogger(TextWriter error, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var level = logLevel switch
            {
                LogLevel.Trace => "trce",
                LogLevel.Debug => "dbug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                _ => "crit",
            };
            lock (error)
            {
                error.WriteLine($"{level}: {category}: {formatter(state, exception)}");
                if (exception is not null)
                {
                    error.WriteLine(exception.ToString());
                }
            }
        }
    }
}
