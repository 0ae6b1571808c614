using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Renewals.Core.Licensing;
using Renewals.Domain.Text;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals licence issue</c> signs the licence file of a subscription's term;
/// <c>renewals licence verify</c> checks one offline with the public key alone
/// (exit 0 valid, 1 not valid with the reason, 2 bad arguments).
/// </summary>
internal static class LicenceCommand
{
    public static Command Create(CliContext context) =>
        new("licence", context.Text["Licence.Description"]) { Issue(context), Verify(context) };

    private static Command Issue(CliContext context)
    {
        var text = context.Text;
        var subscription = CommonOptions.Id("--subscription", text["Licence.Issue.Subscription"], text);
        var term = CommonOptions.Number("--term", text["Licence.Issue.Term"], text);
        var output = new Option<FileInfo>("--out") { Description = text["Licence.Issue.Out"], HelpName = "file" };
        var key = new Option<FileInfo>("--key")
        {
            Description = text.Format("Licence.Issue.Key", LicenceSigningKey.EnvironmentVariable, LicenceSigningKey.DefaultFileName),
            HelpName = "file",
        };

        var command = new Command("issue", text["Licence.Issue.Description"]) { subscription, term, output, key };
        CommonOptions.Require(command, text, subscription);
        command.SetAction(async (parse, ct) =>
        {
            int? termNumber = parse.GetResult(term) is { Implicit: false } ? parse.GetValue(term) : null;
            if (termNumber is < 1)
            {
                throw new UsageException(text.Format("Error.Range", "--term", 1, int.MaxValue, termNumber));
            }

            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            var keyPath = parse.GetValue(key)?.FullName
                ?? (context.Options.LicenceKey is { } configured ? Path.GetFullPath(configured) : null)
                ?? LicenceSigningKey.DefaultPath(database);

            var outputFile = parse.GetValue(output);
            if (outputFile?.Directory is { Exists: false } folder)
            {
                throw new UsageException(text.Format("Error.FileMissing", folder.FullName));
            }

            try
            {
                await using var scope = context.Services.CreateAsyncScope();
                var service = scope.ServiceProvider.GetRequiredService<LicenceService>();
                // What to license first: a bad subscription or term leaves no key file behind.
                var described = await service.DescribeAsync(parse.GetValue(subscription)!.Value, termNumber, ct);
                using var signingKey = LicenceSigningKey.LoadOrCreate(keyPath);
                var issued = await service.IssueAsync(described, signingKey, actor: "cli", ct);
                var notes = parse.InvocationConfiguration.Error;
                if (signingKey.WasCreated)
                {
                    await notes.WriteLineAsync(text.Format("Licence.KeyCreated", signingKey.PrivateKeyPath, signingKey.PublicKeyPath));
                }

                var licence = issued.Licence;
                if (outputFile is { } file)
                {
                    await File.WriteAllBytesAsync(file.FullName, issued.Bytes, ct);
                    await parse.InvocationConfiguration.Output.WriteLineAsync(text.Format("Licence.Written",
                        licence.LicenceId, licence.CustomerName, licence.SubscriptionId, licence.TermNumber,
                        DomainText.LongDate(licence.ValidFrom, text.Culture), DomainText.LongDate(licence.LastValidDay, text.Culture),
                        file.FullName, signingKey.PublicKeyPath));
                }
                else
                {
                    // The file itself on standard output, so that it can be piped or redirected unchanged.
                    await parse.InvocationConfiguration.Output.WriteAsync(issued.Text);
                }
            }
            catch (LicenceException refused)
            {
                throw new UsageException(refused.Describe(text.Culture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException(text.Format("Error.FileAccess", e.Message));
            }

            return RenewalsCli.Ok;
        });
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var text = context.Text;
        var file = new Argument<FileInfo>("FILE") { Description = text["Licence.Verify.File"] };
        var publicKey = new Option<FileInfo>("--public-key") { Description = text["Licence.Verify.PublicKey"], HelpName = "pem" };
        var on = CommonOptions.Date("--on", text["Licence.Verify.On"], text);

        var command = new Command("verify", text["Licence.Verify.Description"]) { file, publicKey, on };
        CommonOptions.Require(command, text, publicKey);
        command.SetAction(async (parse, ct) =>
        {
            var licenceFile = parse.GetRequiredValue(file);
            var keyFile = parse.GetRequiredValue(publicKey);
            foreach (var required in new[] { licenceFile, keyFile })
            {
                if (!required.Exists)
                {
                    throw new UsageException(text.Format("Error.FileMissing", required.FullName));
                }
            }

            // Offline: the public key and the file, nothing else (no database, no network).
            LicenceVerifier verifier;
            try
            {
                verifier = LicenceVerifier.FromPem(await File.ReadAllTextAsync(keyFile.FullName, ct), keyFile.FullName);
            }
            catch (LicenceException refused)
            {
                throw new UsageException(refused.Describe(text.Culture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException(text.Format("Error.FileAccess", e.Message));
            }

            using (verifier)
            {
                byte[] bytes;
                try
                {
                    bytes = await File.ReadAllBytesAsync(licenceFile.FullName, ct);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException(text.Format("Error.FileAccess", e.Message));
                }

                var result = parse.GetResult(on) is { Implicit: false }
                    ? verifier.Verify(bytes, parse.GetValue(on))
                    : verifier.Verify(bytes, context.Clock.GetCurrentInstant());
                await parse.InvocationConfiguration.Output.WriteLineAsync(result.Describe(text.Culture));
                return result.IsValid ? RenewalsCli.Ok : RenewalsCli.Failed;
            }
        });
        return command;
    }
}
