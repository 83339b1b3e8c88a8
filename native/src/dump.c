/* ctnetlink dumps, each over a socket of its own: the IPv4 table (start-up, resync after a loss) and the
 * per-CPU statistics (stats.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include "mnl.h"
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include "internal.h"

#define DUMP_BUFFER 32768 /* a dump datagram is at most a page or two; this is ample */

static int request(struct mnl_socket *nl, uint8_t msg_type, uint32_t seq)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg_type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	struct nfgenmsg *nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = AF_INET;
	nfh->version = NFNETLINK_V0;
	nfh->res_id = 0;
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

int ce_nl_dump(uint8_t msg_type, ce_nl_cb cb, void *arg)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	char *buf = malloc(DUMP_BUFFER);
	int rc = -1, done = 0, saved;
	if (nl == NULL || buf == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0
	    || request(nl, msg_type, (uint32_t)time(NULL)) < 0)
		goto out;
	while (!done) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, DUMP_BUFFER);
		if (len < 0 || ce_nl_walk(buf, (size_t)len, cb, arg, &done) < 0)
			goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (nl != NULL)
		mnl_socket_close(nl);
	free(buf);
	errno = saved;
	return rc;
}

int ce_ct_dump(ce_ct_dump_cb cb, void *arg)
{
	struct ce_ct_sink k = { .cb = cb, .arg = arg };
	return ce_nl_dump(IPCTNL_MSG_CT_GET, ce_ct_collect, &k) < 0 ? -1 : k.n;
}

int ce_ct_dump_into(struct ce_ct_record *out, int max)
{
	struct ce_ct_sink k = { .out = out, .max = max };
	if (out == NULL && max > 0) {
		errno = EINVAL;
		return -1;
	}
	return ce_nl_dump(IPCTNL_MSG_CT_GET, ce_ct_collect, &k) < 0 ? -1 : k.n;
}

size_t ce_ct_record_size(void)
{
	return sizeof(struct ce_ct_record);
}

const char *ce_version(void)
{
	return "libceagent " CE_VERSION;
}
