// TEMPORARY: stands in for the privacy engineer's CeIsp.Audit.AuditLog (same contract) until that commit is
// merged into this branch; deleted in the merge.
using System.Text;
using System.Text.Json;

namespace CeIsp.Audit;

public sealed record AuditRecord(string Actor, string Action, string? Reference = null, string? Subject = null, string? Verdict = null,
    IReadOnlyList<string>? Lines = null, string? Detail = null);

public sealed class AuditException(string message) : Exception(message);

public sealed class AuditLog : IDisposable
{
    private readonly string _path;
    private AuditLog(string path) => _path = path;
    public static AuditLog Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new AuditLog(path);
    }
    public void Append(AuditRecord r) => File.AppendAllText(_path, $"{{\"actor\":{JsonSerializer.Serialize(r.Actor, Desk.DeskJson.Default.String)},\"action\":\"{r.Action}\",\"subject\":\"{r.Subject}\",\"verdict\":\"{r.Verdict}\"}}\n", Encoding.UTF8);
    public static void Verify(string path) { }
    public void Dispose() { }
}
