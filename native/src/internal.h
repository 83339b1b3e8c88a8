#ifndef CEAGENT_INTERNAL_H
#define CEAGENT_INTERNAL_H
#include <linux/netlink.h>
#include "../include/ceagent.h"

int ce_ct_fill(const struct nlmsghdr *nlh, struct ce_ct_record *r);

/* Called once per ctnetlink message; a negative return (errno set) stops the walk. */
typedef int (*ce_nl_cb)(const struct nlmsghdr *nlh, void *arg);
/* Walks a buffer of netlink messages: an NLMSG_ERROR becomes errno, *done is set at NLMSG_DONE, and
 * anything truncated is EBADMSG. Returns 0 or -1. */
int ce_nl_walk(const void *buf, size_t len, ce_nl_cb cb, void *arg, int *done);
/* Where ce_ct_collect puts the flows: each to cb (non-zero stops with ECANCELED), then the first max into
 * out; n counts them all. */
struct ce_ct_sink {
	ce_ct_dump_cb cb;
	void *arg;
	struct ce_ct_record *out;
	int max;
	int n;
};
int ce_ct_collect(const struct nlmsghdr *nlh, void *sink);
/* Sends a ctnetlink dump request (IPCTNL_MSG_CT_GET, IPCTNL_MSG_CT_GET_STATS_CPU, ...) on a socket of its
 * own and walks every reply until NLMSG_DONE. Returns 0 or -1. */
int ce_nl_dump(uint8_t msg_type, ce_nl_cb cb, void *arg);

#endif
