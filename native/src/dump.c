/* A dump of the IPv4 conntrack table over its own socket, for start-up and for resync after a loss. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include "internal.h"

#define BATCH 64
#define DUMP_BUFFER 32768 /* a dump datagram is at most a page or two; this is ample */

static int request(struct mnl_socket *nl, uint32_t seq)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	struct nfgenmsg *nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = AF_INET;
	nfh->version = NFNETLINK_V0;
	nfh->res_id = 0;
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

int ce_ct_dump(ce_ct_dump_cb cb, void *arg)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	char *buf = malloc(DUMP_BUFFER);
	struct ce_ct_record *recs = malloc(sizeof(*recs) * BATCH * 4);
	int total = -1, done = 0, saved = 0;
	if (nl == NULL || buf == NULL || recs == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0
	    || request(nl, (uint32_t)time(NULL)) < 0)
		goto out;
	total = 0;
	while (!done) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, DUMP_BUFFER);
		if (len < 0) {
			total = -1;
			break;
		}
		int n = ce_ct_parse_ex(buf, (size_t)len, recs, BATCH * 4, &done);
		if (n < 0 || n > BATCH * 4) {
			if (n > 0)
				errno = EMSGSIZE;
			total = -1;
			break;
		}
		for (int i = 0; i < n; i++)
			if (cb != NULL && cb(&recs[i], arg) != 0) {
				errno = ECANCELED;
				total = -1;
				goto out;
			}
		total += n;
	}
out:
	saved = errno;
	if (nl != NULL)
		mnl_socket_close(nl);
	free(buf);
	free(recs);
	errno = saved;
	return total;
}

struct into {
	struct ce_ct_record *out;
	int max;
	int n;
};

static int store(const struct ce_ct_record *rec, void *arg)
{
	struct into *s = arg;
	if (s->n < s->max)
		s->out[s->n] = *rec;
	s->n++;
	return 0;
}

int ce_ct_dump_into(struct ce_ct_record *out, int max)
{
	struct into s = { .out = out, .max = max, .n = 0 };
	if (out == NULL && max > 0) {
		errno = EINVAL;
		return -1;
	}
	return ce_ct_dump(store, &s);
}

size_t ce_ct_record_size(void)
{
	return sizeof(struct ce_ct_record);
}

const char *ce_version(void)
{
	return "libceagent " CE_VERSION;
}
