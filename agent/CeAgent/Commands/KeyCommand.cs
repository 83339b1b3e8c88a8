using System.Security.Cryptography;
using CeAgent.Shared.Cli;
using CeAgent.Signing;

namespace CeAgent.Commands;

internal static class KeyCommand
{
    public static Command Definition { get; } = new("key", "print the device's public key (created on first use) for ISP enrolment",
        $"usage: ce-agent key --public [--key PATH]   (default key file: {DeviceKey.DefaultPath})",
        Run);

    private static int Run(string[] argv)
    {
        CliArgs args = CliArgs.Parse(argv, "public");
        bool pub = args.Flag("public");
        string path = args.Get("key") ?? DeviceKey.DefaultPath;
        args.RejectUnknown();
        if (!pub)
            throw new CliException("say --public: the private key never leaves the device");
        using ECDsa key = DeviceKey.LoadOrCreate(path);
        Console.Out.WriteLine(DeviceKey.PublicPem(key));
        return 0;
    }
}
