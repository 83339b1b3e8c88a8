/* libmnl's semantics for the subset in mnl.h (why it is here: mnl.h). Where libmnl's own checks are weaker
 * than a hostile buffer needs, the walk here is the stricter one: lengths are compared unsigned. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "mnl.h"

struct mnl_socket {
	int fd;
	struct sockaddr_nl addr;
};

size_t mnl_nlmsg_size(size_t len)
{
	return len + MNL_NLMSG_HDRLEN;
}

struct nlmsghdr *mnl_nlmsg_put_header(void *buf)
{
	struct nlmsghdr *nlh = buf;
	memset(buf, 0, MNL_NLMSG_HDRLEN);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
	return nlh;
}

void *mnl_nlmsg_put_extra_header(struct nlmsghdr *nlh, size_t size)
{
	char *p = (char *)nlh + nlh->nlmsg_len;
	size_t len = MNL_ALIGN(size);
	nlh->nlmsg_len += len;
	memset(p, 0, len);
	return p;
}

void *mnl_nlmsg_get_payload(const struct nlmsghdr *nlh)
{
	return (char *)nlh + MNL_NLMSG_HDRLEN;
}

struct nlmsghdr *mnl_nlmsg_next(const struct nlmsghdr *nlh, int *len)
{
	*len -= MNL_ALIGN(nlh->nlmsg_len);
	return (struct nlmsghdr *)((char *)nlh + MNL_ALIGN(nlh->nlmsg_len));
}

uint16_t mnl_attr_get_type(const struct nlattr *attr)
{
	return attr->nla_type & NLA_TYPE_MASK;
}

uint16_t mnl_attr_get_payload_len(const struct nlattr *attr)
{
	return attr->nla_len - MNL_ATTR_HDRLEN;
}

void *mnl_attr_get_payload(const struct nlattr *attr)
{
	return (char *)attr + MNL_ATTR_HDRLEN;
}

/* Attribute payloads are only 4-byte aligned: a u64 is read with memcpy, never through a cast. */
uint8_t mnl_attr_get_u8(const struct nlattr *attr) { return *(const uint8_t *)mnl_attr_get_payload(attr); }
uint16_t mnl_attr_get_u16(const struct nlattr *attr) { uint16_t v; memcpy(&v, mnl_attr_get_payload(attr), 2); return v; }
uint32_t mnl_attr_get_u32(const struct nlattr *attr) { uint32_t v; memcpy(&v, mnl_attr_get_payload(attr), 4); return v; }
uint64_t mnl_attr_get_u64(const struct nlattr *attr) { uint64_t v; memcpy(&v, mnl_attr_get_payload(attr), 8); return v; }

int mnl_attr_validate(const struct nlattr *attr, enum mnl_attr_data_type type)
{
	if (type == MNL_TYPE_U32 && mnl_attr_get_payload_len(attr) != sizeof(uint32_t)) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

static int attr_ok(const struct nlattr *attr, size_t len)
{
	return len >= sizeof(*attr) && attr->nla_len >= sizeof(*attr) && attr->nla_len <= len;
}

/* Calls cb for each attribute in [p, p + len); a callback's MNL_CB_STOP or MNL_CB_ERROR ends the walk with
 * that value. Trailing bytes too short for an attribute are ignored, as libmnl does. */
static int walk(const char *p, size_t len, mnl_attr_cb_t cb, void *data)
{
	while (attr_ok((const struct nlattr *)p, len)) {
		const struct nlattr *attr = (const struct nlattr *)p;
		int ret = cb(attr, data);
		if (ret <= MNL_CB_STOP)
			return ret;
		size_t step = MNL_ALIGN(attr->nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return MNL_CB_OK;
}

int mnl_attr_parse(const struct nlmsghdr *nlh, unsigned int offset, mnl_attr_cb_t cb, void *data)
{
	size_t start = MNL_NLMSG_HDRLEN + MNL_ALIGN(offset);
	if (nlh->nlmsg_len < start)
		return MNL_CB_OK;
	return walk((const char *)nlh + start, nlh->nlmsg_len - start, cb, data);
}

int mnl_attr_parse_nested(const struct nlattr *nested, mnl_attr_cb_t cb, void *data)
{
	return walk(mnl_attr_get_payload(nested), mnl_attr_get_payload_len(nested), cb, data);
}

struct mnl_socket *mnl_socket_open(int bus)
{
	struct mnl_socket *nl = calloc(1, sizeof(*nl));
	if (nl == NULL)
		return NULL;
	/* CLOEXEC, unlike libmnl's mnl_socket_open: the agent's sockets never belong to a child process. */
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, bus);
	if (nl->fd < 0) {
		free(nl);
		return NULL;
	}
	return nl;
}

int mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	socklen_t len = sizeof(nl->addr);
	nl->addr.nl_family = AF_NETLINK;
	nl->addr.nl_groups = groups;
	nl->addr.nl_pid = (uint32_t)pid;
	if (bind(nl->fd, (struct sockaddr *)&nl->addr, sizeof(nl->addr)) < 0)
		return -1;
	/* The kernel picks the port id (AUTOPID); read it back as libmnl does. */
	if (getsockname(nl->fd, (struct sockaddr *)&nl->addr, &len) < 0)
		return -1;
	if (len != sizeof(nl->addr) || nl->addr.nl_family != AF_NETLINK) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int mnl_socket_get_fd(const struct mnl_socket *nl)
{
	return nl->fd;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	return sendto(nl->fd, buf, len, 0, (const struct sockaddr *)&kernel, sizeof(kernel));
}

/* A datagram larger than the buffer is ENOSPC (never a silently cut message); one not from a netlink
 * address is EINVAL. */
ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t bufsiz)
{
	struct sockaddr_nl addr;
	struct iovec iov = { .iov_base = buf, .iov_len = bufsiz };
	struct msghdr msg = { .msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t ret = recvmsg(nl->fd, &msg, 0);
	if (ret < 0)
		return ret;
	if (msg.msg_flags & MSG_TRUNC) {
		errno = ENOSPC;
		return -1;
	}
	if (msg.msg_namelen != sizeof(addr)) {
		errno = EINVAL;
		return -1;
	}
	return ret;
}

int mnl_socket_close(struct mnl_socket *nl)
{
	int ret = close(nl->fd);
	free(nl);
	return ret;
}
