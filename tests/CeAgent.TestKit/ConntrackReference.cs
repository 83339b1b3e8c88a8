using System.Globalization;
using System.Runtime.InteropServices;

namespace CeAgent.TestKit;

/// <summary>
/// conntrack-tools' own event listener (`conntrack -E -e NEW,DESTROY -o id`) inside a namespace, as the
/// reference a test checks the agent against, with a receive buffer that actually holds a burst.
/// </summary>
/// <remarks>
/// conntrack-tools 1.4.7 applies `-b/--buffer-size` to its query socket, not to the socket it reads events
/// from (seen with `ss -f netlink -m`: `rb33554432` on the query socket, `rb212992`, net.core.rmem_default,
/// on the subscribed one). With 208 KB, the 2,200 DESTROY events of a flush overran it in every run (the
/// kernel's drop count about 1,900) and now and then NEW events of the UDP burst too: the reference then
/// missed flows the agent had seen, which is the flake this class ends. net.core.rmem_default cannot be
/// raised from a namespace and is global, so the listener's own event socket is resized from outside:
/// pidfd_getfd duplicates it into this process and SO_RCVBUFFORCE sizes the socket both descriptors share.
/// </remarks>
public sealed class ConntrackReference : IDisposable
{
    private const int NetlinkNetfilter = 12; // NETLINK_NETFILTER, the protocol column of /proc/net/netlink
    private const int SolSocket = 1;
    private const int SoRcvbufForce = 33; // the same number on x86-64 and arm64 (asm-generic)

    private readonly BackgroundProc _proc;
    private readonly string _inode;

    public ConntrackReference(NetNs ns, int receiveBuffer = 16 << 20)
    {
        // `ip netns exec` execs conntrack in place, so the pid is conntrack's.
        _proc = new BackgroundProc("ip", ["netns", "exec", ns.Name, "conntrack", "-E", "-e", "NEW,DESTROY", "-o", "id"]);
        (_inode, int fd) = WaitForEventSocket();
        Resize(fd, receiveBuffer);
    }

    public BackgroundProc Proc => _proc;
    public IReadOnlyList<string> Lines => _proc.Lines;

    /// <summary>Events the kernel dropped for want of room in the listener's socket (netlink's per-socket
    /// drop count): 0 means the reference saw every event.</summary>
    public long Drops => Socket()?.Drops ?? throw new InvalidOperationException("the reference's event socket is gone: " + _proc.Stderr);

    /// <summary>The receive buffer the kernel gave the event socket (twice what was asked, as for SO_RCVBUF).</summary>
    public int ReceiveBuffer { get; private set; }

    private (string Inode, int Fd) WaitForEventSocket()
    {
        for (int i = 0; i < 250; i++)
        {
            if (_proc.HasExited)
                throw new InvalidOperationException("conntrack -E ended: " + _proc.Stderr);
            // The subscribed socket is the one bound to multicast groups; its fd is found by its inode.
            string? inode = ReadNetlink().FirstOrDefault(s => s.Protocol == NetlinkNetfilter && s.Groups != 0).Inode;
            if (inode is not null)
                foreach (string link in SafeFds())
                    if (ReadLink(link) == $"socket:[{inode}]")
                        return (inode, int.Parse(Path.GetFileName(link), CultureInfo.InvariantCulture));
            Thread.Sleep(20);
        }
        throw new TimeoutException("conntrack -E never subscribed to conntrack events: " + _proc.Stderr);
    }

    private void Resize(int targetFd, int bytes)
    {
        int pidfd = pidfd_open(_proc.Pid, 0);
        Check(pidfd, "pidfd_open");
        try
        {
            int fd = pidfd_getfd(pidfd, targetFd, 0);
            Check(fd, "pidfd_getfd");
            try
            {
                Check(setsockopt(fd, SolSocket, SoRcvbufForce, ref bytes, sizeof(int)), "setsockopt(SO_RCVBUFFORCE)");
                int size = 0, len = sizeof(int);
                Check(getsockopt(fd, SolSocket, 8 /* SO_RCVBUF */, ref size, ref len), "getsockopt(SO_RCVBUF)");
                ReceiveBuffer = size;
            }
            finally
            {
                _ = close(fd);
            }
        }
        finally
        {
            _ = close(pidfd);
        }
    }

    private NetlinkSocket? Socket() => ReadNetlink().Where(s => s.Inode == _inode).Select(s => (NetlinkSocket?)s).FirstOrDefault();

    private readonly record struct NetlinkSocket(int Protocol, uint Groups, long Drops, string Inode);

    /// <summary>/proc/PID/net/netlink is the table of the process's own namespace.</summary>
    private IEnumerable<NetlinkSocket> ReadNetlink()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{_proc.Pid}/net/netlink");
        }
        catch (IOException)
        {
            yield break;
        }
        // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 10)
                yield return new NetlinkSocket(int.Parse(f[1], CultureInfo.InvariantCulture), uint.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    long.Parse(f[8], CultureInfo.InvariantCulture), f[9]);
        }
    }

    private string[] SafeFds()
    {
        try
        {
            return Directory.GetFiles($"/proc/{_proc.Pid}/fd");
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc < 0)
            throw new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    public void Dispose() => _proc.Dispose();

    [DllImport("libc", SetLastError = true)]
    private static extern int pidfd_open(int pid, uint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int pidfd_getfd(int pidfd, int targetfd, uint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, ref int value, int len);

    [DllImport("libc", SetLastError = true)]
    private static extern int getsockopt(int fd, int level, int name, ref int value, ref int len);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
