/* The kernel's conntrack statistics, summed over CPUs. insert_failed is how a NAT that found no free
 * port in its range shows itself: the new flow's tuple clashes at confirmation and the packet is dropped
 * (measured on 6.18: 300 UDP flows to one destination through a 240-port set give 60). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "mnl.h"
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include "internal.h"

static int add_counter(const struct nlattr *attr, void *data)
{
	struct ce_ct_stats *s = data;
	uint64_t *field;
	switch (mnl_attr_get_type(attr)) {
	case CTA_STATS_FOUND: field = &s->found; break;
	case CTA_STATS_INVALID: field = &s->invalid; break;
	case CTA_STATS_INSERT: field = &s->insert; break;
	case CTA_STATS_INSERT_FAILED: field = &s->insert_failed; break;
	case CTA_STATS_DROP: field = &s->drop; break;
	case CTA_STATS_EARLY_DROP: field = &s->early_drop; break;
	case CTA_STATS_ERROR: field = &s->error; break;
	case CTA_STATS_CLASH_RESOLVE: field = &s->clash_resolve; break;
	default: return MNL_CB_OK; /* retired or newer counters */
	}
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	*field += ntohl(mnl_attr_get_u32(attr));
	return MNL_CB_OK;
}

static int add_cpu(const struct nlmsghdr *nlh, void *arg)
{
	struct ce_ct_stats *s = arg;
	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != IPCTNL_MSG_CT_GET_STATS_CPU
	    || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg))
	    || mnl_attr_parse(nlh, sizeof(struct nfgenmsg), add_counter, s) < 0) {
		errno = EBADMSG;
		return -1;
	}
	s->cpus++;
	return 0;
}

int ce_ct_parse_stats(const void *buf, size_t len, struct ce_ct_stats *out)
{
	int done = 0;
	if (out == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	return ce_nl_walk(buf, len, add_cpu, out, &done) < 0 ? -1 : (int)out->cpus;
}

int ce_ct_stats(struct ce_ct_stats *out)
{
	if (out == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	return ce_nl_dump(IPCTNL_MSG_CT_GET_STATS_CPU, add_cpu, out) < 0 ? -1 : 0;
}
