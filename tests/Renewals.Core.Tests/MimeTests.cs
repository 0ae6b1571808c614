using System.Diagnostics;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Tests;

/// <summary>
/// Every message written to the pickup folder is valid MIME for an independent parser:
/// Python's email package (default policy) finds no defect in any part, and the French
/// bodies decode to the right characters.
/// </summary>
public sealed class MimeTests() : DatabaseTest(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Pickup_files_parse_without_defects_in_python_and_french_bodies_decode_to_the_right_characters()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync("Ateliers Lumière", language: "fr", requiresPurchaseOrder: true, advisorId: advisor);
        await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, delivery: LicenceDelivery.AvailableInWebAccount);
        await RunOnAsync(new NodaTime.LocalDate(2027, 1, 15));
        await RunOnAsync(new NodaTime.LocalDate(2027, 9, 17));
        var folder = Path.Combine(Path.GetTempPath(), "renewals-mime-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var pickup = new PickupFolderTransport(folder))
            {
                var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions(), Messaging.Attachments.For(Invoicing.Seller.Default));
                var at = NodaTime.Instant.FromUtc(2027, 9, 17, 9, 0);
                var result = await new OutboxDispatcher(Database.Database, composer, pickup, Invoicing.Seller.Default, new NodaTime.Testing.FakeClock(at)).DispatchAsync(at);
                Assert.True(result.Sent >= 4, $"{result}");
            }

            // Python prints one line per file: its name, the number of defects, and whether the French text part has é, « and U+00A0.
            const string script = """
                import email, email.policy, glob, os, sys
                for path in sorted(glob.glob(os.path.join(sys.argv[1], '*.eml'))):
                    with open(path, 'rb') as f:
                        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
                    defects = sum(len(part.defects) for part in msg.walk())
                    text = msg.get_body(preferencelist=('plain',)).get_content()
                    print(os.path.basename(path), defects, msg['Content-Language'] or msg.get_body(preferencelist=('plain',))['Content-Language'], int('é' in text), int('\u00a0:' in text), msg['Message-ID'])
                """;
            var lines = (await Python(script, folder)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Directory.GetFiles(folder, "*.eml").Length, lines.Length);
            Assert.All(lines, line =>
            {
                var fields = line.Split(' ');
                Assert.Equal("0", fields[1]); // no defect in any part
                Assert.Equal(("1", "1"), (fields[3], fields[4])); // é and a no-break space before ':' decoded
                Assert.EndsWith("@vendor.example>", fields[5], StringComparison.Ordinal);
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> Python(string script, string argument)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = System.Text.Encoding.UTF8 };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(argument);
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }
}
