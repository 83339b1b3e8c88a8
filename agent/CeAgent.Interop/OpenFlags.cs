namespace CeAgent.Interop;

/// <summary>enum ce_open_flags: portable; libceagent maps them to this platform's O_* (always close-on-exec).</summary>
internal enum OpenFlags
{
    ReadOnly = 0,
    WriteOnly = 1,
    ReadWrite = 2,
}
