using Xunit;
using System.Runtime.InteropServices;

namespace CeAgent.TestKit;

/// <summary>
/// A fact that needs root (network namespaces, conntrack, nftables). xunit 2 has no dynamic skip, so the
/// decision is made when the attribute is constructed; the reason shows in the runner's output.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(params string[] tools)
    {
        if (Environment.GetEnvironmentVariable("CE_SKIP_ROOT_TESTS") == "1")
            Skip = "SKIP: CE_SKIP_ROOT_TESTS=1 set";
        else if (!Host.IsRoot)
            Skip = "SKIP: needs root (network namespaces, conntrack, nftables); run 'sudo make test'";
        else if (Host.MissingTool(tools) is { } missing)
            Skip = $"SKIP: '{missing}' is not installed; run 'make deps'";
    }
}

/// <summary>Facts about the machine the tests run on.</summary>
public static partial class Host
{
    public static bool IsRoot => geteuid() == 0;

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint geteuid();

    /// <summary>The first tool not found on PATH, or null.</summary>
    public static string? MissingTool(IEnumerable<string> tools)
    {
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':');
        foreach (string tool in tools)
            if (!path.Any(dir => File.Exists(Path.Combine(dir, tool))))
                return tool;
        return null;
    }

    /// <summary>The repository root (the folder holding CeAgent.sln), found from the test's base directory.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "CeAgent.sln")))
                    return d.FullName;
            throw new InvalidOperationException("CeAgent.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
