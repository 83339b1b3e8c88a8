namespace CeAgent.TestKit;

/// <summary>
/// The real programs, as built: each from its own project's output folder (agent/CeAgent, agent/CeIsp),
/// so tests run exactly what ships. Not the copy beside the tests: a test project's folder resolves
/// assemblies for its own references (ASP.NET's shared framework for the desk tests), and a program's
/// copy there can miss a package the program itself carries (Microsoft.Extensions.Hosting.Abstractions).
/// </summary>
public static class Programs
{
    public static string PathOf(string program)
    {
        string project = program switch
        {
            "ce-agent" => "CeAgent",
            "ce-isp" => "CeIsp",
            _ => throw new ArgumentException($"unknown program '{program}'", nameof(program)),
        };
        // AppContext.BaseDirectory is tests/<project>/bin/<configuration>/<framework>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        string framework = here.Name, configuration = here.Parent!.Name;
        for (DirectoryInfo? d = here; d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CeAgent.sln")))
            {
                string path = Path.Combine(d.FullName, "agent", project, "bin", configuration, framework, program);
                return File.Exists(path) ? path : throw new FileNotFoundException($"{program} is not built ({path}); run make build", path);
            }
        throw new DirectoryNotFoundException($"no CeAgent.sln above {here.FullName}");
    }

    public static ProcResult Run(string program, params string[] args) => Proc.Run(PathOf(program), args);
}
