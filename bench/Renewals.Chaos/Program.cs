using System.Globalization;
using Renewals.Testing.Chaos;

// renewals-chaos [--subscriptions N] [--kills K] [--seed S] [--days D] [--step-days D] [--configuration Release]
// Runs the chaos harness once and prints its ledger; exit code 0 when the ledger is clean, 1 when not.
var settings = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["--subscriptions"] = "100000",
    ["--kills"] = "20",
    ["--seed"] = "7",
    ["--days"] = "365",
    ["--step-days"] = "30",
    ["--configuration"] = "Release",
};
for (var i = 0; i < args.Length; i++)
{
    if (!settings.ContainsKey(args[i]) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"renewals-chaos: unknown option or missing value: {args[i]} (options: {string.Join(", ", settings.Keys)})");
        return 2;
    }

    settings[args[i]] = args[++i];
}

int Number(string name) => int.Parse(settings[name], CultureInfo.InvariantCulture);

var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Renewals.slnx")))
{
    root = root.Parent;
}

if (root is null)
{
    Console.Error.WriteLine("renewals-chaos: Renewals.slnx not found above " + AppContext.BaseDirectory);
    return 2;
}

var configuration = settings["--configuration"];
string Output(string project, string dll) => Path.Combine(root.FullName, "src", project, "bin", configuration, "net10.0", dll);
var options = new ChaosOptions
{
    Subscriptions = Number("--subscriptions"),
    Kills = Number("--kills"),
    Seed = Number("--seed"),
    Days = Number("--days"),
    StepDays = Number("--step-days"),
    CliDll = Output("Renewals.Cli", "renewals.dll"),
    WebDll = Output("Renewals.Web", "Renewals.Web.dll"),
    WebContentRoot = Path.Combine(root.FullName, "src", "Renewals.Web"),
    Log = Console.WriteLine,
};
foreach (var dll in new[] { options.CliDll, options.WebDll })
{
    if (!File.Exists(dll))
    {
        Console.Error.WriteLine($"renewals-chaos: {dll} is missing: build it first (bench/chaos/run.sh does)");
        return 2;
    }
}

var ledger = await ChaosRun.RunAsync(options);
Console.WriteLine();
Console.Write(ledger.Report());
return ledger.Problems.Count == 0 ? 0 : 1;
