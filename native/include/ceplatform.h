/* libceagent's platform layer: the C# side passes portable values (CE_* below) and this library maps
 * them to the numbers, flags and struct layouts of the platform it is compiled for, as dotnet/runtime's
 * System.Native does. No open flag, ioctl number or kernel struct offset is written by hand in C#: they
 * differ between architectures (O_DIRECTORY is 0x10000 on x86-64, 0x4000 on aarch64, where 0x10000 is
 * O_DIRECT). Same error rule as ceagent.h: -1 (or 0 where a number is returned) and errno. */
#ifndef CEPLATFORM_H
#define CEPLATFORM_H

#include <stdint.h>
#include "ceagent.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Open flags, portable: combined with |. */
enum ce_open_flags {
	CE_O_RDONLY = 0,
	CE_O_WRONLY = 1,
	CE_O_RDWR = 2,
	CE_O_CLOEXEC = 0x10,
};
/* open(2) with CE_O_* flags (always close-on-exec); unknown bits are EINVAL. */
CE_API int ce_open(const char *path, int ce_flags);
/* fsync of a directory: after creating or renaming a file, the entry itself must reach the flash. */
CE_API int ce_fsync_dir(const char *path);

/* The ioctl requests the clock references use, and the size of the struct each one fills. */
enum ce_ioctl {
	CE_IOC_PTP_SYS_OFFSET_EXTENDED = 1,
	CE_IOC_PPS_FETCH = 2,
	CE_IOC_RTC_RD_TIME = 3,
};
/* The request number for this platform, or 0 with EINVAL for an unknown CE_IOC_*. */
CE_API unsigned long ce_ioctl_request(int ce_ioc);
/* The argument's size in bytes, or -1 with EINVAL. */
CE_API int ce_ioctl_size(int ce_ioc);
/* ioctl(2) with a CE_IOC_* request on arg, a buffer of size bytes: EINVAL for an unknown request or a
 * buffer smaller than the request's struct, so the kernel never writes past the caller's memory. */
CE_API int ce_ioctl(int fd, int ce_ioc, void *arg, size_t size);

/* close(2) and a wait for input on one descriptor: the C# side imports nothing from libc, so a static
 * (musl) build links one native library and pollfd's layout and POLLIN stay this side. ce_poll_in
 * returns 1 when fd has input or an error condition to report, 0 on timeout, -1 with errno (EINTR too). */
CE_API int ce_close(int fd);
CE_API int ce_poll_in(int fd, int timeout_ms);

/* The errno values the C# side acts on, portable (as System.Native's ConvertErrorPlatformToPal): the
 * numbers are the architecture's (ENOBUFS is 105 on x86-64 and aarch64, 132 on MIPS). */
enum ce_errno {
	CE_E_OTHER = 0,
	CE_E_AGAIN = 1,   /* EAGAIN, EWOULDBLOCK */
	CE_E_INTR = 2,
	CE_E_NOBUFS = 3,  /* ce_ct_read: the kernel dropped events */
};
CE_API int ce_errno_class(int err);

enum ce_clock { CE_CLOCK_REALTIME = 0, CE_CLOCK_BOOTTIME = 1 };
/* The clock's time in nanoseconds; -1 with errno on failure. */
CE_API int64_t ce_clock_ns(int ce_clock);

/* The kernel's NTP state as adjtimex(2) reports it (read only), fixed layout: 24 bytes on every ABI,
 * while struct timex holds C longs and differs between 32- and 64-bit ARM. */
struct ce_ntp_state {
	int32_t state;        /* adjtimex's return value (TIME_OK ... TIME_ERROR) */
	int32_t unsynced;     /* 1 when STA_UNSYNC is set or the state is TIME_ERROR */
	int64_t maxerror_us;
	int64_t esterror_us;
};
CE_API int ce_ntp_read(struct ce_ntp_state *out);

/* A timerfd on CLOCK_REALTIME that never expires but is cancelled whenever the clock is set: the step
 * watch. ce_step_watch_fired returns 1 when the clock was set since the watch was armed (re-arm it then),
 * 0 when not, -1 with errno on another error. */
CE_API int ce_step_watch_create(void);
CE_API int ce_step_watch_fired(int fd);

/* File types, portable. */
enum ce_file_kind {
	CE_FILE_OTHER = 0,
	CE_FILE_REGULAR = 1,
	CE_FILE_DIRECTORY = 2,
	CE_FILE_CHAR_DEVICE = 3,
	CE_FILE_BLOCK_DEVICE = 4,
	CE_FILE_FIFO = 5,
	CE_FILE_SOCKET = 6,
};
/* The type of an open file (CE_FILE_*), or -1 with errno. */
CE_API int ce_file_kind(int fd);
/* flock(LOCK_EX), waiting (EINTR retried); released when the file is closed. */
CE_API int ce_lock_exclusive(int fd);

/* Let up to `bytes` of freed memory stay at the top of the C heap rather than go back to the kernel at
 * once (glibc's M_TRIM_THRESHOLD, 128 KiB by default). 0 when set, 1 where the C library has no such
 * setting (nothing done), -1 with errno EINVAL for a size below 0 or above INT_MAX. */
CE_API int ce_heap_keep(long bytes);

#ifdef __cplusplus
}
#endif
#endif
