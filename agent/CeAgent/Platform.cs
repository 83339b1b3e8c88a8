// The agent runs on Linux routers only (conntrack, netlink, sysfs LEDs): say so once for the platform analyzer.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
