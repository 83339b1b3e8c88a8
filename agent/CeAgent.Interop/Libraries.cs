namespace CeAgent.Interop;

/// <summary>
/// The native libraries this layer imports, named once (as dotnet/runtime's Interop.Libraries). Only
/// libceagent: it also wraps the few libc calls the agent needs (close, poll, ioctl), so no libc struct
/// layout, flag or errno number is written in C#, and a static build links one native library.
/// </summary>
internal static class Libraries
{
    /// <summary>Linked statically into the NativeAOT agent (DirectPInvoke "ceagent" in CeAgent.csproj),
    /// loaded as libceagent.so everywhere else.</summary>
    internal const string CeAgent = "ceagent";
}
