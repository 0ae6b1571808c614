using System.Data.Common;
using Npgsql;

namespace Renewals.Data.Sql;

/// <summary>
/// Writes many rows with one statement shape. SQLite: one prepared statement executed per
/// row (in-process, no round trip). PostgreSQL: inserts stream through binary COPY; other
/// statements are sent together in batches, one round trip for thousands of rows.
/// </summary>
public sealed class RowWriter : IAsyncDisposable
{
    private const int PostgresBatchSize = 2000;
    private const int CopyBufferRows = 50_000;

    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly DatabaseProvider _provider;
    private readonly string _sql;
    private readonly string[] _parameters;
    private readonly DbCommand? _prepared;
    private NpgsqlBatch? _batch;
    private readonly string? _copy;
    private readonly List<object?[]> _copyRows = [];

    public RowWriter(DbConnection connection, DbTransaction transaction, DatabaseProvider provider, string sql, params string[] parameters)
        : this(connection, transaction, provider, sql, copy: null, parameters)
    {
    }

    private RowWriter(DbConnection connection, DbTransaction transaction, DatabaseProvider provider, string sql, string? copy, string[] parameters)
    {
        _copy = copy;
        _connection = connection;
        _transaction = transaction;
        _provider = provider;
        _sql = sql;
        _parameters = parameters;
        if (provider == DatabaseProvider.Sqlite)
        {
            _prepared = Db.Command(connection, transaction, sql);
            foreach (var name in parameters)
            {
                var p = _prepared.CreateParameter();
                p.ParameterName = "@" + name; // exact name: no prefix search per row
                _prepared.Parameters.Add(p);
            }
        }
    }

    public int Rows { get; private set; }

    /// <summary>Rows the database reports as inserted or changed so far.</summary>
    public long Affected { get; private set; }

    /// <summary>An INSERT of <paramref name="columns"/> into <paramref name="table"/>.</summary>
    public static RowWriter Insert(DbConnection connection, DbTransaction transaction, DatabaseProvider provider, string table, params string[] columns) =>
        new(connection, transaction, provider,
            $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c.Trim('"')))})",
            provider == DatabaseProvider.PostgreSql ? $"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)" : null,
            [.. columns.Select(c => c.Trim('"'))]);

    public async Task AddAsync(CancellationToken cancellationToken, params object?[] values)
    {
        if (values.Length != _parameters.Length)
        {
            throw new ArgumentException($"Expected {_parameters.Length} values for: {_sql}", nameof(values));
        }

        Rows++;
        if (_prepared is not null)
        {
            for (var i = 0; i < values.Length; i++)
            {
                _prepared.Parameters[i].Value = Db.ToParameter(_provider, values[i]);
            }

            Affected += await _prepared.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        if (_copy is not null)
        {
            // A connection carries one COPY at a time: rows wait here so that several
            // writers can be filled side by side and streamed one after the other.
            _copyRows.Add(values);
            if (_copyRows.Count >= CopyBufferRows)
            {
                await FlushAsync(cancellationToken);
            }

            return;
        }

        _batch ??= new NpgsqlBatch((NpgsqlConnection)_connection, (NpgsqlTransaction)_transaction);
        var command = new NpgsqlBatchCommand(_sql);
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.Add(new NpgsqlParameter(_parameters[i], Db.ToParameter(_provider, values[i])));
        }

        _batch.BatchCommands.Add(command);
        if (_batch.BatchCommands.Count >= PostgresBatchSize)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_copyRows.Count > 0)
        {
            await using var importer = await ((NpgsqlConnection)_connection).BeginBinaryImportAsync(_copy!, cancellationToken);
            foreach (var row in _copyRows)
            {
                await importer.StartRowAsync(cancellationToken);
                foreach (var value in row)
                {
                    var converted = Db.ToParameter(_provider, value);
                    if (converted is DBNull)
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                    else
                    {
                        await importer.WriteAsync(converted, cancellationToken);
                    }
                }
            }

            Affected += (long)await importer.CompleteAsync(cancellationToken);
            _copyRows.Clear();
        }

        if (_batch is { BatchCommands.Count: > 0 } batch)
        {
            Affected += await batch.ExecuteNonQueryAsync(cancellationToken);
            await batch.DisposeAsync();
            _batch = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_prepared is not null)
        {
            await _prepared.DisposeAsync();
        }

        if (_batch is not null)
        {
            await _batch.DisposeAsync();
        }

    }
}
