using System.Runtime.InteropServices;

namespace CeAgent.TestKit;

/// <summary>
/// Runs code on a thread of its own in a private mount namespace where <c>target</c> is a fresh tmpfs: for
/// libraries that hard-code a path (BoardLed's /sys/class/leds), the test's tree appears at the real path
/// and the library runs unchanged. The namespace belongs to that one thread (unshare(CLONE_NEWNS) on a
/// thread, as Go's runtime does), so the machine and the other tests never see the mount; it disappears
/// with the thread. Needs root (CAP_SYS_ADMIN).
/// </summary>
public static class PrivateMount
{
    private const int CloneNewns = 0x00020000;
    private const ulong MsRec = 0x4000, MsPrivate = 1 << 18;

    public static void Run(string target, Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Check(unshare(CloneNewns), "unshare(CLONE_NEWNS)");
                // Private first: without it the tmpfs would propagate back into the machine's namespace.
                Check(mount(null, "/", null, MsRec | MsPrivate, 0), "mount --make-rprivate /");
                Check(mount("tmpfs", target, "tmpfs", 0, 0), "mount tmpfs on " + target);
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
            throw new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int unshare(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int mount(string? source, string target, string? fstype, ulong flags, nint data);
}
