namespace CeIsp.Desk;

/// <summary>The "desk" section of isp.json: what `ce-isp serve` needs beyond the resolver's settings.</summary>
public sealed record DeskConfig
{
    /// <summary>The accounts file (<see cref="Accounts"/>): names, roles, PBKDF2 password hashes.</summary>
    public string Users { get; set; } = "/etc/ce-isp/users.json";
    /// <summary>The ISP's server certificate and its key (PEM). Required unless listening on loopback.</summary>
    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }
    /// <summary>Answered requests, their verdicts and evidence bundles, one file each, kept across restarts.</summary>
    public string DataDir { get; set; } = "/var/lib/ce-isp/desk";
}
