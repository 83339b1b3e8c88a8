using System.Text.Json;

namespace CeAgent.TestKit;

/// <summary>An agent.json for `ce-agent run` as ce-0001 of the namespace router (<see cref="NatRouter"/>'s
/// MAP-E rule), talking to the test broker.</summary>
public static class AgentConfigFile
{
    public static string Write(string dir, MosquittoBroker broker, int windowSeconds, int batchWindows, string filterKeyHex, string keyFile, int spoolBytes)
    {
        var (cert, key) = broker.Certs.Client("ce-0001");
        string path = Path.Combine(dir, "agent.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ceId"] = "ce-0001",
            ["mape"] = new Dictionary<string, object> { ["rule6"] = "2001:db8::/40", ["rule4"] = "192.0.2.0/24", ["eaLength"] = 16, ["psidOffset"] = 4, ["prefix"] = "2001:db8:12:3400::/56" },
            ["windowSeconds"] = windowSeconds,
            ["batchWindows"] = batchWindows,
            ["closeDelaySeconds"] = 0,
            ["spool"] = new Dictionary<string, object> { ["dir"] = Path.Combine(dir, "spool"), ["maxBytes"] = spoolBytes },
            ["broker"] = new Dictionary<string, object> { ["host"] = "127.0.0.1", ["port"] = broker.Port, ["caFile"] = broker.Certs.CaCert, ["certFile"] = cert, ["keyFile"] = key },
            ["filterKey"] = filterKeyHex,
            ["filterKeyEpoch"] = 1,
            ["keyFile"] = keyFile,
        }));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds a filter key
        return path;
    }

    /// <summary>Polls every 200 ms until the condition holds; false after the timeout.</summary>
    public static bool WaitUntil(Func<bool> condition, int timeoutMs)
    {
        for (var sw = System.Diagnostics.Stopwatch.StartNew(); sw.ElapsedMilliseconds < timeoutMs; Thread.Sleep(200))
            if (condition())
                return true;
        return condition();
    }
}
