using System.Data.Common;

namespace CeIsp.Tests;

/// <summary>A statement straight on a database, outside <see cref="CeIsp.Store.SummaryStore"/>: how the
/// migration tests write a store as an older schema did.</summary>
public static class RawSql
{
    public static void Exec(DbConnection db, string sql, params (string Name, object Value)[] ps)
    {
        using DbCommand c = db.CreateCommand();
        c.CommandText = sql;
        foreach (var (name, value) in ps)
        {
            DbParameter p = c.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            c.Parameters.Add(p);
        }
        c.ExecuteNonQuery();
    }
}
