using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Renewals.Bench;

/// <summary>
/// Peak memory of one phase. On Linux the kernel's high-water mark of resident memory (VmHWM)
/// is reset at the start of the phase (writing 5 to /proc/self/clear_refs) and read at its end,
/// so each phase reports its own peak RSS exactly, not one sampled. Elsewhere the working set
/// is sampled every 50 ms. The managed heap (GC.GetTotalMemory without collecting) is sampled
/// every 50 ms in both cases.
/// </summary>
internal sealed class MemoryProbe : IDisposable
{
    private readonly Timer _timer;
    private long _peakSampledRss;
    private long _peakManaged;
    private bool _kernelPeak;
    private double _machineBusyAtBegin;
    private TimeSpan _ownCpuAtBegin;

    public MemoryProbe()
    {
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
    }

    public static string Method => File.Exists("/proc/self/clear_refs")
        ? "peak RSS = the kernel's VmHWM, reset at the start of each phase (/proc/self/clear_refs)"
        : "peak RSS = Process.WorkingSet64 sampled every 50 ms";

    public void Begin()
    {
        _kernelPeak = TryResetKernelPeak();
        Interlocked.Exchange(ref _peakSampledRss, 0);
        Interlocked.Exchange(ref _peakManaged, 0);
        Sample();
        _machineBusyAtBegin = MachineBusySeconds();
        _ownCpuAtBegin = OwnCpu();
    }

    /// <summary>CPU seconds used during the phase by this process, and by every other process of the machine.</summary>
    public (double Own, double Others) Cpu { get; private set; }

    public (long PeakRss, long PeakManaged) End()
    {
        Sample();
        var own = (OwnCpu() - _ownCpuAtBegin).TotalSeconds;
        var machine = MachineBusySeconds() - _machineBusyAtBegin;
        Cpu = (own, Math.Max(0, machine - own));
        var rss = _kernelPeak && ReadStatusKb("VmHWM:") is { } hwm ? hwm * 1024 : Interlocked.Read(ref _peakSampledRss);
        return (rss, Interlocked.Read(ref _peakManaged));
    }

    private static TimeSpan OwnCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Busy CPU seconds of the whole machine since boot (/proc/stat), or NaN off Linux.</summary>
    private static double MachineBusySeconds()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
            long busy = 0;
            for (var i = 1; i < Math.Min(fields.Length, 9); i++)
            {
                if (i is not (4 or 5))
                {
                    busy += long.Parse(fields[i], CultureInfo.InvariantCulture);
                }
            }

            return busy / 100.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        var managed = GC.GetTotalMemory(false);
        Max(ref _peakManaged, managed);
        if (!_kernelPeak)
        {
            using var process = Process.GetCurrentProcess();
            Max(ref _peakSampledRss, process.WorkingSet64);
        }
    }

    private static void Max(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static bool TryResetKernelPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return ReadStatusKb("VmHWM:") is not null;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadStatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var digits = new string([.. line.Where(char.IsDigit)]);
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}

/// <summary>What the figures were measured on.</summary>
internal static class Machine
{
    public static IReadOnlyList<(string Key, string Value)> Describe(string provider, string databaseVersion) =>
    [
        ("CPU", $"{Environment.ProcessorCount} logical cores ({CpuModel()})"),
        ("Memory", $"{Gib(TotalMemoryBytes()):0.0} GiB"),
        ("OS", $"{OsName()} (kernel {Environment.OSVersion.Version}, {RuntimeInformation.OSArchitecture})"),
        (".NET", $"{RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, Release build"),
        ("Database", $"{provider} {databaseVersion}"),
        ("Memory measure", MemoryProbe.Method),
    ];

    public static double Gib(long bytes) => bytes / (1024.0 * 1024 * 1024);

    public static double Mib(long bytes) => bytes / (1024.0 * 1024);

    private static long TotalMemoryBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(new string([.. line.Where(char.IsDigit)]), CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string OsName()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (line is not null)
            {
                return line["PRETTY_NAME=".Length..].Trim('"');
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.OSDescription;
    }
}

/// <summary>One measured phase: what it did, how long it took and its peak memory.</summary>
internal sealed record Phase(string Name, string N, long Work, string Unit, TimeSpan Time, long PeakRss, long PeakManaged, string Notes = "")
{
    /// <summary>CPU seconds of this process and of all other processes (a database server, or anything else running) during the phase.</summary>
    public (double Own, double Others) Cpu { get; init; }

    public double Rate => Work / Math.Max(Time.TotalSeconds, 1e-9);
}
