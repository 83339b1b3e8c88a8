using System.Globalization;
using System.Text.Json.Nodes;

namespace CeAgent.TestKit;

/// <summary>`ce-isp collect` as a process: its configuration file, starting it, and what it reported.</summary>
public static class IspCollector
{
    /// <summary>Writes an isp.json for a collector that connects to the broker as <paramref name="identity"/>;
    /// <paramref name="edit"/> adds or changes settings.</summary>
    public static string WriteConfig(MosquittoBroker broker, string kind, string target, string identity,
        IEnumerable<(string CeId, string Line, string PublicKeyPem)> devices, Action<JsonObject>? edit = null)
    {
        var (cert, key) = broker.Certs.Client(identity);
        var json = new JsonObject
        {
            ["store"] = new JsonObject { ["kind"] = kind, ["target"] = target },
            ["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = broker.Port, ["caFile"] = broker.Certs.CaCert, ["certFile"] = cert, ["keyFile"] = key },
            ["devices"] = new JsonArray([.. devices.Select(d => (JsonNode)new JsonObject { ["ceId"] = d.CeId, ["line"] = d.Line, ["publicKeyPem"] = d.PublicKeyPem })]),
            ["auditLog"] = Path.Combine(broker.Dir, "audit.jsonl"),
        };
        edit?.Invoke(json);
        string path = Path.Combine(broker.Dir, $"isp-{identity}-{kind}-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    /// <summary>Starts a collector and waits until the broker has granted its shared subscription; in
    /// <paramref name="ns"/> when the broker listens on that namespace's loopback.</summary>
    public static BackgroundProc Start(string config, string clientId, int seconds = 600, NetNs? ns = null)
    {
        string[] args = ["collect", "--config", config, "--client-id", clientId, "--seconds", seconds.ToString(CultureInfo.InvariantCulture)];
        var p = ns is null ? new BackgroundProc(Programs.PathOf("ce-isp"), args)
            : new BackgroundProc("ip", ["netns", "exec", ns.Name, Programs.PathOf("ce-isp"), .. args]);
        if (!p.WaitForStderr(l => l.Contains("subscribed to $share/", StringComparison.Ordinal), 30_000))
        {
            string err = p.Stderr;
            p.Dispose();
            throw new InvalidOperationException($"collector {clientId} did not subscribe: {err}");
        }
        return p;
    }

    /// <summary>Stops a collector with SIGTERM and returns its closing line (stored, duplicates, rejected).</summary>
    public static (long Stored, string Summary) Stop(BackgroundProc collector)
    {
        collector.Signal(15);
        if (!collector.WaitForExit(10_000))
            throw new InvalidOperationException("collector did not stop on SIGTERM");
        if (collector.ExitCode != 0)
            throw new InvalidOperationException($"collector exited {collector.ExitCode}: {collector.Stderr}");
        string summary = collector.Stderr.Split('\n').Last(l => l.Contains("stored ", StringComparison.Ordinal));
        return (long.Parse(summary.Split("stored ")[1].Split(',')[0], CultureInfo.InvariantCulture), summary);
    }
}
