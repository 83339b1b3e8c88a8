namespace CeAgent.Interop;

/// <summary>enum ce_errno: the errno values this layer acts on, portable (the numbers are the
/// architecture's; libceagent classifies them).</summary>
internal enum ErrnoClass
{
    Other = 0,
    Again = 1,
    Interrupted = 2,
    NoBuffers = 3,
}
