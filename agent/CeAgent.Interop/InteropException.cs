using System.Runtime.InteropServices;

namespace CeAgent.Interop;

/// <summary>A native call failed: what was being done, the errno, and the platform's text for it. The one
/// place errno becomes words.</summary>
public sealed class InteropException : IOException
{
    public InteropException(string operation, int errno)
        : base($"{operation}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Operation = operation;
        Errno = errno;
    }

    public string Operation { get; }

    public int Errno { get; }

    /// <summary>For the call that just failed: its errno as the import (SetLastError) saved it. Build
    /// the operation's text without native calls, which would overwrite that errno.</summary>
    internal static InteropException LastError(string operation) => new(operation, Marshal.GetLastPInvokeError());
}
