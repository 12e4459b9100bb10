using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using MySqlConnector;

namespace LogPipeline.Data;

/// <summary>
/// Which store failures are an outage (the store did not answer, or answered "try again") rather
/// than a bug: the processor retries them until the store answers, the API answers them with a 503.
/// Constraint violations, SQL errors and argument or state errors are not.
/// </summary>
public static class StoreErrors
{
    // MariaDB server and client error numbers that say "try again": too many connections, cannot
    // connect, bad handshake, shutdown in progress, network read/write errors, lock wait timeout,
    // deadlock, query interrupted, connection killed, gone away, lost connection, idle disconnect.
    private static readonly HashSet<int> TransientMySqlErrors =
    [
        1040, 1042, 1043, 1053, 1152, 1153, 1154, 1155, 1156, 1157, 1158, 1159, 1160, 1161,
        1205, 1213, 1317, 1927, 2002, 2003, 2006, 2013, 4031,
    ];

    /// <summary>True for failures that a later attempt on a fresh connection may not meet again.</summary>
    public static bool IsTransient(Exception? exception) => exception switch
    {
        null or OperationCanceledException => false,
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) is 5 /* BUSY */ or 6 /* LOCKED */ or 10 /* IOERR */,
        // A command timeout is what a stopped (SIGSTOP) or stalled server gives; the driver itself does
        // not count it as transient, and it has no network cause inside.
        MySqlException mySql => TransientMySqlErrors.Contains(mySql.Number) || mySql.IsTransient
            || mySql.ErrorCode is MySqlErrorCode.CommandTimeoutExpired || HasNetworkCause(mySql),
        DbException db => db.IsTransient || HasNetworkCause(db),
        IOException or TimeoutException or SocketException => true,
        _ => false,
    };

    /// <summary>A driver error caused by the connection itself (the server went away mid-command).</summary>
    private static bool HasNetworkCause(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is IOException or SocketException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
