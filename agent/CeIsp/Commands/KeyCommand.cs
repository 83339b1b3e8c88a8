using System.Security.Cryptography;
using CeAgent.Shared.Cli;
using CeAgent.Shared.Secrets;
using CeAgent.Shared.Summary;
using CeIsp.Audit;
using CeIsp.Config;

namespace CeIsp.Commands;

/// <summary>
/// `ce-isp key`: a new filter master key, or one CE's filter key for one epoch, for provisioning. Keys go to
/// 0600 files only, never to the terminal (docs/privacy.md).
/// </summary>
internal static class KeyCommand
{
    public static Command Definition { get; } = new("key", "make the filter master key, or derive one CE's filter key (into 0600 files)",
        $"""
        usage: ce-isp key master --out FILE
               ce-isp key derive --ce-id ID --epoch N [--out FILE] [--config PATH]
          master   32 random bytes (hex) for isp.json masterKeyFile; the file must not exist yet
          derive   the CE's key for that epoch (hex), default file ./ID.epochN.filter-key; the CE's agent.json
                   gets it as filterKey with filterKeyEpoch N
          --config default {IspConfig.DefaultPath}
        """,
        Run);

    private static int Run(string[] argv)
    {
        try
        {
            return Dispatch(argv);
        }
        catch (AuditException e)
        {
            Console.Error.WriteLine($"ce-isp key: no key without a working audit log: {e.Message}");
            return 1;
        }
    }

    private static int Dispatch(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv);
        switch (args.TakeWords())
        {
            case ["master"]:
            {
                string file = args.Require("out");
                args.RejectUnknown();
                SecretFile.Write(file, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(FilterKeys.MasterKeyBytes)) + "\n");
                Console.Out.WriteLine($"wrote {file} (0600): the filter master key; keep it on the resolver host only");
                return 0;
            }
            case ["derive"]:
            {
                string ceId = args.Require("ce-id");
                if (!SummaryLimits.IsValidCeId(ceId))
                    throw new CliException($"--ce-id: '{ceId}' is not a valid CE id");
                uint epoch = (uint)args.RequireInt("epoch", 1, int.MaxValue);
                string file = args.Get("out") ?? $"{ceId}.epoch{epoch}.filter-key";
                IspConfig c = IspConfig.Load(args.Get("config") ?? IspConfig.DefaultPath);
                args.RejectUnknown();
                byte[] key = FilterKeys.Derive(c.RequireMasterKey(), ceId, epoch);
                // A derived key opens that household's filters: making one is audited like a disclosure.
                AuditLog.Open(c.AuditLog).Append(new AuditRecord(Environment.UserName, "key-derive", Subject: ceId,
                    Detail: $"filter key epoch {epoch} written to {Path.GetFullPath(file)}"));
                SecretFile.Write(file, Convert.ToHexStringLower(key) + "\n");
                Console.Out.WriteLine($"wrote {file} (0600): filter key of {ceId}, epoch {epoch}; provision it to that CE only");
                return 0;
            }
            default:
                throw new CliException("say 'master' or 'derive'");
        }
    }
}
