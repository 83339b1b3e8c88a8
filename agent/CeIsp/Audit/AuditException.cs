namespace CeIsp.Audit;

/// <summary>The audit log cannot be trusted or written: whoever meets this must not answer the request.</summary>
public sealed class AuditException(string message) : Exception(message);
