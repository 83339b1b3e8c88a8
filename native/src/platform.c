/* The platform layer (ceplatform.h): portable values in, this platform's numbers out. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <linux/pps.h>
#include <linux/ptp_clock.h>
#include <linux/rtc.h>
#include "../include/ceplatform.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

CE_API int ce_open(const char *path, int ce_flags)
{
	int flags = O_CLOEXEC;
	if (ce_flags & ~(CE_O_WRONLY | CE_O_RDWR | CE_O_CLOEXEC) || (ce_flags & 3) == 3) {
		errno = EINVAL;
		return -1;
	}
	flags |= (ce_flags & CE_O_RDWR) ? O_RDWR : (ce_flags & CE_O_WRONLY) ? O_WRONLY : O_RDONLY;
	return open(path, flags);
}

CE_API int ce_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd), saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

CE_API unsigned long ce_ioctl_request(int ce_ioc)
{
	switch (ce_ioc) {
	case CE_IOC_PTP_SYS_OFFSET_EXTENDED: return PTP_SYS_OFFSET_EXTENDED;
	case CE_IOC_PPS_FETCH: return PPS_FETCH;
	case CE_IOC_RTC_RD_TIME: return RTC_RD_TIME;
	}
	errno = EINVAL;
	return 0;
}

CE_API int ce_ioctl_size(int ce_ioc)
{
	switch (ce_ioc) {
	case CE_IOC_PTP_SYS_OFFSET_EXTENDED: return (int)sizeof(struct ptp_sys_offset_extended);
	case CE_IOC_PPS_FETCH: return (int)sizeof(struct pps_fdata);
	case CE_IOC_RTC_RD_TIME: return (int)sizeof(struct rtc_time);
	}
	errno = EINVAL;
	return -1;
}

CE_API int ce_ioctl(int fd, int ce_ioc, void *arg, size_t size)
{
	int needed = ce_ioctl_size(ce_ioc);
	if (needed < 0 || size < (size_t)needed) {
		errno = EINVAL;
		return -1;
	}
	return ioctl(fd, ce_ioctl_request(ce_ioc), arg);
}

CE_API int ce_close(int fd)
{
	return close(fd);
}

CE_API int ce_poll_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc = poll(&p, 1, timeout_ms);
	return rc > 0 ? 1 : rc;
}

CE_API int ce_errno_class(int err)
{
	switch (err) {
	case EAGAIN: return CE_E_AGAIN;
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK: return CE_E_AGAIN;
#endif
	case EINTR: return CE_E_INTR;
	case ENOBUFS: return CE_E_NOBUFS;
	}
	return CE_E_OTHER;
}

CE_API int64_t ce_clock_ns(int ce_clock)
{
	struct timespec ts;
	clockid_t id;
	switch (ce_clock) {
	case CE_CLOCK_REALTIME: id = CLOCK_REALTIME; break;
	case CE_CLOCK_BOOTTIME: id = CLOCK_BOOTTIME; break;
	default: errno = EINVAL; return -1;
	}
	if (clock_gettime(id, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

CE_API int ce_ntp_read(struct ce_ntp_state *out)
{
	struct timex t = { .modes = 0 };
	int state = adjtimex(&t);
	if (state < 0)
		return -1;
	out->state = state;
	out->unsynced = (t.status & STA_UNSYNC) != 0 || state == TIME_ERROR;
	out->maxerror_us = t.maxerror;
	out->esterror_us = t.esterror;
	return 0;
}

CE_API int ce_step_watch_create(void)
{
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	/* ten years ahead: it never fires, it is only cancelled by a step of the clock */
	struct itimerspec spec = { .it_value = { .tv_sec = now.tv_sec + 10L * 365 * 86400 } };
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

CE_API int ce_step_watch_fired(int fd)
{
	uint64_t expirations;
	if (read(fd, &expirations, sizeof(expirations)) >= 0)
		return 0;
	if (errno == ECANCELED)
		return 1;
	return errno == EAGAIN ? 0 : -1;
}

CE_API int ce_heap_keep(long bytes)
{
	if (bytes < 0 || bytes > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
#ifdef __GLIBC__
	/* mallopt returns 1 on success and sets no errno on failure */
	if (mallopt(M_TRIM_THRESHOLD, (int)bytes) != 1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
#else
	return 1; /* musl returns freed memory its own way and has no such setting */
#endif
}
