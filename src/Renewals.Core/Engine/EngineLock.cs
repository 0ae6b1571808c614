using Renewals.Data;

namespace Renewals.Core.Engine;

/// <summary>
/// On SQLite one engine works at a time. The lock is an exclusive handle on a file beside
/// the database: the operating system releases it when the process ends, however it ends,
/// so a crashed engine never blocks the next one.
/// </summary>
public sealed class EngineLock : IDisposable
{
    private readonly FileStream? _handle;

    private EngineLock(FileStream? handle) => _handle = handle;

    /// <summary>Takes the lock of one kind of worker ("engine", "dispatcher") on the database.</summary>
    public static EngineLock Acquire(RenewalsDatabase database, string worker = "engine")
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.SqliteFile is not { } file)
        {
            // PostgreSQL: instances share the work through row locks (FOR UPDATE SKIP LOCKED).
            return new EngineLock(null);
        }

        var path = $"{file}.{worker}-lock";
        try
        {
            return new EngineLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            throw new EngineBusyException(file);
        }
    }

    public void Dispose() => _handle?.Dispose();
}

/// <summary>Another engine is already working on this SQLite database.</summary>
public sealed class EngineBusyException(string database)
    : Exception($"Another engine is already running on {database}; on SQLite one engine works at a time.")
{
    public string Database { get; } = database;
}
