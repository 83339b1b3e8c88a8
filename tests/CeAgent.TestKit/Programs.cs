namespace CeAgent.TestKit;

/// <summary>
/// The real programs, as built: a test project that references agent/CeAgent or agent/CeIsp gets the
/// apphost (ce-agent, ce-isp) in its own output folder, so tests run exactly what ships.
/// </summary>
public static class Programs
{
    public static string PathOf(string program)
    {
        string path = Path.Combine(AppContext.BaseDirectory, program);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{program} is not beside the tests; does the test project reference it?", path);
    }

    public static ProcResult Run(string program, params string[] args) => Proc.Run(PathOf(program), args);
}
