using System.Security.Cryptography;
using CeAgent.Shared.Cli;
using CeAgent.Signing;

namespace CeAgent.Commands;

internal static class KeyCommand
{
    public static Command Definition { get; } = new("key", "print the device's public key for ISP enrolment; rotate it",
        $"""
        usage: ce-agent key --public [--key PATH]          the key in use (created on first use)
               ce-agent key --rotate [--key PATH]          prepare a new key (PATH.next) and print its public key
               ce-agent key --rotate --commit [--key PATH] use the prepared key from the agent's next start
          default key file: {DeviceKey.DefaultPath}. Enrol the new public key at the ISP (isp.json
          devices[].nextPublicKeyPem) before --commit: summaries signed with a key the ISP does not know are refused.
        """,
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "public", "rotate", "commit");
        bool pub = args.Flag("public"), rotate = args.Flag("rotate"), commit = args.Flag("commit");
        string path = args.Get("key") ?? DeviceKey.DefaultPath;
        args.RejectUnknown();
        if (pub == rotate || (commit && !rotate))
            throw new CliException("say --public, --rotate or --rotate --commit: the private key never leaves the device");
        if (commit)
        {
            DeviceKey.Commit(path);
            Console.Out.WriteLine($"{path}: now the prepared key (the replaced one is kept as {DeviceKey.PreviousPath(path)}); restart the agent");
            return 0;
        }
        using ECDsa key = rotate ? DeviceKey.Prepare(path) : DeviceKey.LoadOrCreate(path);
        Console.Out.WriteLine(DeviceKey.PublicPem(key));
        return 0;
    }
}
