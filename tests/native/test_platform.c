/* The platform layer (native/src/platform.c) on the architecture it was compiled for: run natively and,
 * cross-compiled, under qemu-aarch64. It checks the mapping against this platform's headers, and the
 * behaviour the C# side relies on (an O_DIRECTORY open refuses a regular file: with x86-64's value on
 * aarch64 it would have been O_DIRECT). Writes "PASSED FAILED" to the file given as the first argument. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/pps.h>
#include <linux/ptp_clock.h>
#include <linux/rtc.h>
#include "ceplatform.h"

static int passed, failed;
#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static void ioctls(void)
{
	static const struct { int ce; unsigned long req; size_t size; const char *name; } io[] = {
		{ CE_IOC_PTP_SYS_OFFSET_EXTENDED, PTP_SYS_OFFSET_EXTENDED, sizeof(struct ptp_sys_offset_extended), "PTP_SYS_OFFSET_EXTENDED" },
		{ CE_IOC_PPS_FETCH, PPS_FETCH, sizeof(struct pps_fdata), "PPS_FETCH" },
		{ CE_IOC_RTC_RD_TIME, RTC_RD_TIME, sizeof(struct rtc_time), "RTC_RD_TIME" },
	};
	for (size_t i = 0; i < sizeof(io) / sizeof(io[0]); i++) {
		unsigned long req = ce_ioctl_request(io[i].ce);
		CHECK(req == io[i].req, "%s: 0x%lx, headers say 0x%lx", io[i].name, req, io[i].req);
		CHECK(ce_ioctl_size(io[i].ce) == (int)io[i].size, "%s size %d, headers %zu", io[i].name, ce_ioctl_size(io[i].ce), io[i].size);
		/* the caller's buffer must be at least what the request's size field says the kernel copies */
		CHECK(_IOC_SIZE(req) <= io[i].size, "%s: the request's size field %lu exceeds the struct", io[i].name, (unsigned long)_IOC_SIZE(req));
		printf("platform: %s = 0x%lx, %zu bytes\n", io[i].name, req, io[i].size);
	}
	errno = 0;
	CHECK(ce_ioctl_request(99) == 0 && errno == EINVAL, "unknown ioctl: EINVAL");
	CHECK(ce_ioctl_size(99) == -1 && errno == EINVAL, "unknown ioctl size: EINVAL");
	/* ce_ioctl: the buffer's size is checked before the kernel may write into it */
	struct rtc_time tm;
	int fd = ce_open("/dev/null", CE_O_RDONLY);
	errno = 0;
	CHECK(ce_ioctl(fd, CE_IOC_RTC_RD_TIME, &tm, sizeof(tm) - 1) == -1 && errno == EINVAL, "a buffer smaller than the struct: EINVAL");
	CHECK(ce_ioctl(fd, 99, &tm, sizeof(tm)) == -1 && errno == EINVAL, "ce_ioctl of an unknown request: EINVAL");
	CHECK(ce_ioctl(fd, CE_IOC_RTC_RD_TIME, &tm, sizeof(tm)) == -1 && errno == ENOTTY, "RTC_RD_TIME reaches the kernel: /dev/null says ENOTTY, got %s", strerror(errno));
	close(fd);
}

static void descriptors(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(ce_poll_in(p[0], 0) == 0, "an empty pipe: timeout");
	CHECK(write(p[1], "x", 1) == 1 && ce_poll_in(p[0], 1000) == 1, "a byte in the pipe: readable");
	CHECK(ce_close(p[0]) == 0 && ce_close(p[1]) == 0, "ce_close: %s", strerror(errno));
	CHECK(ce_close(p[0]) == -1 && errno == EBADF, "closing twice: EBADF");
	/* a closed descriptor is POLLNVAL: reported as ready, so the read that follows names the error */
	CHECK(ce_poll_in(p[0], 0) == 1, "a closed descriptor is ready (the read reports EBADF)");
}

static void files(void)
{
	char dir[] = "/tmp/ce-platform-XXXXXX", file[64];
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(file, sizeof(file), "%s/f", dir);
	int fd = ce_open(file, CE_O_RDONLY);
	CHECK(fd < 0 && errno == ENOENT, "ce_open of a missing file: ENOENT");
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK(ce_fsync_dir(dir) == 0, "ce_fsync_dir of a directory: %s", strerror(errno));
	CHECK(ce_fsync_dir(file) == -1 && errno == ENOTDIR, "ce_fsync_dir of a regular file must be ENOTDIR (O_DIRECTORY), got %s", strerror(errno));
	fd = ce_open(file, CE_O_RDWR);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1, "CE_O_RDWR writes");
	CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "always close-on-exec");
	close(fd);
	fd = ce_open(file, CE_O_RDONLY);
	CHECK(fd >= 0 && write(fd, "x", 1) == -1 && errno == EBADF, "CE_O_RDONLY refuses a write");
	close(fd);
	CHECK(ce_open(file, 0x40) == -1 && errno == EINVAL, "unknown flag bits: EINVAL");
	CHECK(ce_open(file, CE_O_WRONLY | CE_O_RDWR) == -1 && errno == EINVAL, "WRONLY|RDWR: EINVAL");
	fd = ce_open(file, CE_O_RDWR);
	CHECK(ce_file_kind(fd) == CE_FILE_REGULAR, "a file is CE_FILE_REGULAR");
	CHECK(ce_lock_exclusive(fd) == 0, "ce_lock_exclusive: %s", strerror(errno));
	close(fd);
	fd = ce_open("/dev/null", CE_O_RDWR);
	CHECK(ce_file_kind(fd) == CE_FILE_CHAR_DEVICE, "/dev/null is CE_FILE_CHAR_DEVICE (an audit log there would keep nothing)");
	close(fd);
	fd = ce_open(dir, CE_O_RDONLY);
	CHECK(ce_file_kind(fd) == CE_FILE_DIRECTORY, "a directory is CE_FILE_DIRECTORY");
	close(fd);
	CHECK(ce_file_kind(-1) == -1 && errno == EBADF, "a bad descriptor: EBADF");
	unlink(file);
	rmdir(dir);
#if defined(__aarch64__)
	CHECK(O_DIRECTORY == 0x4000 && O_DIRECT == 0x10000, "aarch64's O_DIRECTORY is 0x4000 (0x10000 is O_DIRECT)");
#elif defined(__x86_64__)
	CHECK(O_DIRECTORY == 0x10000, "x86-64's O_DIRECTORY is 0x10000");
#endif
}

static void time_(void)
{
	int64_t b1 = ce_clock_ns(CE_CLOCK_BOOTTIME), b2 = ce_clock_ns(CE_CLOCK_BOOTTIME), r = ce_clock_ns(CE_CLOCK_REALTIME);
	CHECK(b1 > 0 && b2 >= b1, "CLOCK_BOOTTIME advances");
	CHECK(r > 1700000000LL * 1000000000, "CLOCK_REALTIME is a date after 2023");
	CHECK(ce_clock_ns(9) == -1 && errno == EINVAL, "unknown clock: EINVAL");
	struct ce_ntp_state s;
	CHECK(sizeof(s) == 24, "struct ce_ntp_state is 24 bytes (the C# side declares the same)");
	CHECK(ce_ntp_read(&s) == 0 && s.state >= 0 && s.state <= 5 && (s.unsynced == 0 || s.unsynced == 1) && s.maxerror_us >= 0,
	      "ce_ntp_read: state %d unsynced %d maxerror %lld", s.state, s.unsynced, (long long)s.maxerror_us);
	int fd = ce_step_watch_create();
	CHECK(fd >= 0, "ce_step_watch_create: %s", strerror(errno));
	CHECK(fd >= 0 && ce_step_watch_fired(fd) == 0, "a fresh step watch has not fired");
	close(fd);
	CHECK(ce_step_watch_fired(-1) == -1 && errno == EBADF, "a bad descriptor is an error, not a step");
}

/* The C# side acts on these errno values through ce_errno_class, never by their numbers. */
static void errnos(void)
{
	CHECK(ce_errno_class(EAGAIN) == CE_E_AGAIN && ce_errno_class(EWOULDBLOCK) == CE_E_AGAIN, "EAGAIN, EWOULDBLOCK: CE_E_AGAIN");
	CHECK(ce_errno_class(EINTR) == CE_E_INTR, "EINTR: CE_E_INTR");
	CHECK(ce_errno_class(ENOBUFS) == CE_E_NOBUFS, "ENOBUFS: CE_E_NOBUFS");
	CHECK(ce_errno_class(EPERM) == CE_E_OTHER && ce_errno_class(0) == CE_E_OTHER && ce_errno_class(-5) == CE_E_OTHER,
	      "anything else: CE_E_OTHER");
}

/* Freed memory at the heap's top stays mapped once ce_heap_keep allows it: without the call glibc gives
 * back anything over 128 KiB there at once (brk shrinks), and takes it again, page by page, at the next
 * allocations. Blocks of 4 KiB come from brk (below the mmap threshold). */
static void heap(void)
{
	errno = 0;
	CHECK(ce_heap_keep(-1) == -1 && errno == EINVAL, "a negative size: EINVAL");
	CHECK(ce_heap_keep((long)INT_MAX + 1) == -1 && errno == EINVAL, "a size over INT_MAX: EINVAL");
#ifdef __GLIBC__
	CHECK(ce_heap_keep(64L << 20) == 0, "ce_heap_keep on glibc: %s", strerror(errno));
	enum { n = 2048 };
	static void *blocks[n];
	for (int i = 0; i < n; i++)
		blocks[i] = malloc(4096);
	void *top = sbrk(0);
	for (int i = n - 1; i >= 0; i--)
		free(blocks[i]);
	void *after = sbrk(0);
	CHECK(after == top, "8 MiB freed at the top stays mapped: brk moved by %ld bytes", (long)((char *)top - (char *)after));
	CHECK(ce_heap_keep(128 * 1024) == 0, "back to glibc's default threshold");
#else
	CHECK(ce_heap_keep(64L << 20) == 1, "no such setting in this C library: 1");
#endif
}

int main(int argc, char **argv)
{
	ioctls();
	descriptors();
	files();
	time_();
	errnos();
	heap();
	printf("platform: %d passed, %d failed\n", passed, failed);
	if (argc > 1) {
		FILE *f = fopen(argv[1], "w");
		if (f) { fprintf(f, "%d %d\n", passed, failed); fclose(f); }
	}
	return failed != 0;
}
