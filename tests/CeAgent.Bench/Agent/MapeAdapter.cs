namespace CeAgent.Bench.Agent;

/// <summary>
/// Narrow seam to the MAP-E code: the ports of a PSID and the owner of a port. Stand-in until branch
/// `mape` lands PortSet (RFC 7597 section 5.1 port mapping).
/// </summary>
public static class MapeAdapter
{
    public static IReadOnlyList<int> Ports(int psidOffset, int psidLength, int psid)
    {
        int m = 16 - psidOffset - psidLength;
        var ports = new List<int>();
        for (int a = psidOffset > 0 ? 1 : 0; a < 1 << psidOffset; a++)
            for (int j = 0; j < 1 << m; j++)
                ports.Add((a << (16 - psidOffset)) | (psid << m) | j);
        return ports;
    }

    /// <summary>The PSID whose port set holds <paramref name="port"/>, or -1 (ports below the first A).</summary>
    public static int Owner(int psidOffset, int psidLength, int port)
    {
        if (psidOffset > 0 && port >> (16 - psidOffset) == 0)
            return -1;
        int m = 16 - psidOffset - psidLength;
        return (port >> m) & ((1 << psidLength) - 1);
    }
}
