using CeIsp.Audit;

namespace CeIsp.Desk;

/// <summary>The audit log's own check of its chain, as the auditor's view reports it.</summary>
public static class AuditCheck
{
    /// <summary>Null when the chain is intact, else what is wrong.</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            AuditVerification v = AuditLog.Verify(path);
            return v.Ok ? null : $"line {v.FirstBrokenLine}: {v.Problem}";
        }
        catch (AuditException e)
        {
            return e.Message;
        }
    }
}
