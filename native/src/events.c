/* The event subscription: NEW and DESTROY only, a sized receive buffer, and loss reported as ENOBUFS. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "mnl.h"
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_compat.h>
#include "internal.h"

/* One event is a few hundred bytes; a page-sized datagram buffer holds any of them. */
#define EVENT_BUFFER 8192

struct ce_ct {
	struct mnl_socket *nl;
	uint64_t losses;
	int pending_loss;
	char buf[EVENT_BUFFER];
};

static int set_rcvbuf(int fd, int size)
{
	/* SO_RCVBUFFORCE passes net.core.rmem_max but needs CAP_NET_ADMIN, which the agent has. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

struct ce_ct *ce_ct_open_events(int rcvbuf)
{
	struct ce_ct *ct = calloc(1, sizeof(*ct));
	if (ct == NULL)
		return NULL;
	ct->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (ct->nl == NULL)
		goto fail;
	if (mnl_socket_bind(ct->nl, NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_DESTROY, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	int fd = mnl_socket_get_fd(ct->nl);
	if (rcvbuf > 0 && set_rcvbuf(fd, rcvbuf) < 0)
		goto fail;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		goto fail;
	return ct;
fail:;
	int saved = errno;
	ce_ct_close(ct);
	errno = saved;
	return NULL;
}

int ce_ct_fd(const struct ce_ct *ct)
{
	if (ct == NULL) {
		errno = EINVAL;
		return -1;
	}
	return mnl_socket_get_fd(ct->nl);
}

int ce_ct_read(struct ce_ct *ct, struct ce_ct_record *out, int max)
{
	int n = 0;
	if (ct == NULL || out == NULL || max <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (ct->pending_loss) {
		ct->pending_loss = 0;
		errno = ENOBUFS;
		return -1;
	}
	/* One event per datagram: read while there is room for it. */
	while (n < max) {
		ssize_t len = mnl_socket_recvfrom(ct->nl, ct->buf, sizeof(ct->buf));
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			if (errno == ENOBUFS) {
				ct->losses++;
				/* Hand over what was read first; report the loss on the next call. */
				if (n > 0) {
					ct->pending_loss = 1;
					break;
				}
			}
			return -1;
		}
		int got = ce_ct_parse(ct->buf, (size_t)len, out + n, max - n);
		if (got < 0)
			return -1;
		n += got < max - n ? got : max - n;
	}
	return n;
}

int ce_ct_drain(struct ce_ct *ct)
{
	int n = 0;
	if (ct == NULL) {
		errno = EINVAL;
		return -1;
	}
	ct->pending_loss = 0;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(ct->nl, ct->buf, sizeof(ct->buf));
		if (len >= 0) {
			n++;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return n;
		if (errno != ENOBUFS && errno != EINTR)
			return -1;
	}
}

uint64_t ce_ct_losses(const struct ce_ct *ct)
{
	return ct == NULL ? 0 : ct->losses;
}

void ce_ct_close(struct ce_ct *ct)
{
	if (ct == NULL)
		return;
	if (ct->nl != NULL)
		mnl_socket_close(ct->nl);
	free(ct);
}
