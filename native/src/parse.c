/* Netlink conntrack messages -> ce_ct_record, decoded with libmnl's attribute walkers (mnl.h). Decoding by hand
 * (rather than through libnetfilter_conntrack) reaches the reply tuple's ICMP identifier, which is the
 * translated one, and keeps unknown attributes of newer kernels from being an error. */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "mnl.h"
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include "internal.h"

struct tuple {
	uint8_t src[16], dst[16];
	uint16_t sport, dport, icmp_id;
	uint8_t proto;
};

/* Collects one nesting level's attributes by type; types beyond max are ignored (newer kernels). */
struct attrs {
	const struct nlattr *a[CTA_MAX + 1 > 32 ? CTA_MAX + 1 : 32];
	int max;
};

static int collect(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;
	int type = mnl_attr_get_type(attr);
	if (type <= t->max && mnl_attr_validate(attr, MNL_TYPE_UNSPEC) >= 0)
		t->a[type] = attr;
	return MNL_CB_OK;
}

static int nested(const struct nlattr *attr, struct attrs *t, int max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	if (attr == NULL)
		return 0;
	return mnl_attr_parse_nested(attr, collect, t) < 0 ? -1 : 0;
}

static int u16_be(const struct nlattr *a, uint16_t *out)
{
	if (a == NULL)
		return 0;
	if (mnl_attr_get_payload_len(a) != 2)
		return -1;
	*out = ntohs(mnl_attr_get_u16(a));
	return 0;
}

static int addr(const struct nlattr *a, uint8_t out[16], size_t len)
{
	if (a == NULL)
		return 0;
	if (mnl_attr_get_payload_len(a) != len)
		return -1;
	memcpy(out, mnl_attr_get_payload(a), len);
	return 0;
}

static int parse_tuple(const struct nlattr *attr, struct tuple *t)
{
	struct attrs top, ip, proto;
	memset(t, 0, sizeof(*t));
	if (attr == NULL || nested(attr, &top, CTA_TUPLE_MAX) < 0 || nested(top.a[CTA_TUPLE_IP], &ip, CTA_IP_MAX) < 0
	    || nested(top.a[CTA_TUPLE_PROTO], &proto, CTA_PROTO_MAX) < 0)
		return -1;
	if (addr(ip.a[CTA_IP_V4_SRC], t->src, 4) < 0 || addr(ip.a[CTA_IP_V4_DST], t->dst, 4) < 0
	    || addr(ip.a[CTA_IP_V6_SRC], t->src, 16) < 0 || addr(ip.a[CTA_IP_V6_DST], t->dst, 16) < 0)
		return -1;
	if (proto.a[CTA_PROTO_NUM] == NULL || mnl_attr_get_payload_len(proto.a[CTA_PROTO_NUM]) != 1)
		return -1;
	t->proto = mnl_attr_get_u8(proto.a[CTA_PROTO_NUM]);
	if (u16_be(proto.a[CTA_PROTO_SRC_PORT], &t->sport) < 0 || u16_be(proto.a[CTA_PROTO_DST_PORT], &t->dport) < 0
	    || u16_be(proto.a[CTA_PROTO_ICMP_ID], &t->icmp_id) < 0 || u16_be(proto.a[CTA_PROTO_ICMPV6_ID], &t->icmp_id) < 0)
		return -1;
	return 0;
}

static uint8_t kind_of(const struct nlmsghdr *nlh)
{
	uint8_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	if (type == IPCTNL_MSG_CT_DELETE)
		return CE_CT_DESTROY;
	if (type == IPCTNL_MSG_CT_NEW && (nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)))
		return CE_CT_NEW;
	return CE_CT_DUMP;
}

static int timestamps(const struct nlattr *attr, struct ce_ct_record *r)
{
	struct attrs ts;
	if (attr == NULL)
		return 0;
	if (nested(attr, &ts, CTA_TIMESTAMP_MAX) < 0)
		return -1;
	if (ts.a[CTA_TIMESTAMP_START] != NULL) {
		if (mnl_attr_get_payload_len(ts.a[CTA_TIMESTAMP_START]) != 8)
			return -1;
		r->start_ns = be64toh(mnl_attr_get_u64(ts.a[CTA_TIMESTAMP_START]));
		r->flags |= CE_CT_F_TIMESTAMP;
	}
	if (ts.a[CTA_TIMESTAMP_STOP] != NULL) {
		if (mnl_attr_get_payload_len(ts.a[CTA_TIMESTAMP_STOP]) != 8)
			return -1;
		r->stop_ns = be64toh(mnl_attr_get_u64(ts.a[CTA_TIMESTAMP_STOP]));
	}
	return 0;
}

static int u32_be(const struct nlattr *a, uint32_t *out)
{
	if (a == NULL)
		return 0;
	if (mnl_attr_get_payload_len(a) != 4)
		return -1;
	*out = ntohl(mnl_attr_get_u32(a));
	return 0;
}

int ce_ct_fill(const struct nlmsghdr *nlh, struct ce_ct_record *r)
{
	struct attrs top = { .max = CTA_MAX };
	struct tuple orig, reply;
	const struct nfgenmsg *nfh;
	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfh)))
		goto bad;
	nfh = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*nfh), collect, &top) < 0)
		goto bad;
	if (parse_tuple(top.a[CTA_TUPLE_ORIG], &orig) < 0 || parse_tuple(top.a[CTA_TUPLE_REPLY], &reply) < 0)
		goto bad;
	if (u32_be(top.a[CTA_ID], &r->id) < 0 || u32_be(top.a[CTA_MARK], &r->mark) < 0
	    || u16_be(top.a[CTA_ZONE], &r->zone) < 0 || timestamps(top.a[CTA_TIMESTAMP], r) < 0)
		goto bad;
	r->kind = kind_of(nlh);
	r->family = nfh->nfgen_family;
	r->l4proto = orig.proto;
	memcpy(r->orig_src, orig.src, 16);
	memcpy(r->orig_dst, orig.dst, 16);
	memcpy(r->nat_src, reply.dst, 16);
	if (orig.proto == IPPROTO_ICMP || orig.proto == IPPROTO_ICMPV6) {
		/* An ICMP tuple has one identifier; the reply tuple's is the translated one. */
		r->orig_src_port = orig.icmp_id;
		r->nat_src_port = reply.icmp_id;
	} else {
		r->orig_src_port = orig.sport;
		r->orig_dst_port = orig.dport;
		r->nat_src_port = reply.dport;
	}
	if (memcmp(r->orig_src, r->nat_src, 16) != 0 || r->orig_src_port != r->nat_src_port)
		r->flags |= CE_CT_F_SNAT;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

/* mnl_nlmsg_ok compares a signed length, so a hostile nlmsg_len above 2^31 passes it; compare unsigned. */
static int msg_ok(const struct nlmsghdr *nlh, int rem)
{
	return rem >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= (unsigned)rem;
}

int ce_nl_walk(const void *buf, size_t len, ce_nl_cb cb, void *arg, int *done)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;
	while (msg_ok(nlh, rem)) {
		if (nlh->nlmsg_type == NLMSG_DONE) {
			*done = 1;
			rem = 0;
			break;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
				errno = EBADMSG;
				return -1;
			}
			if (e->error != 0) {
				errno = -e->error;
				return -1;
			}
		} else if (NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_CTNETLINK && cb(nlh, arg) < 0) {
			return -1;
		}
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	if (rem != 0) { /* a truncated or malformed message: never guess at the rest */
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int ce_ct_collect(const struct nlmsghdr *nlh, void *arg)
{
	struct ce_ct_sink *k = arg;
	struct ce_ct_record r;
	if (ce_ct_fill(nlh, &r) < 0)
		return -1;
	if (k->cb != NULL && k->cb(&r, k->arg) != 0) {
		errno = ECANCELED;
		return -1;
	}
	if (k->n < k->max)
		k->out[k->n] = r;
	k->n++;
	return 0;
}

int ce_ct_parse(const void *buf, size_t len, struct ce_ct_record *out, int max)
{
	struct ce_ct_sink k = { .out = out, .max = max };
	int done = 0;
	return ce_nl_walk(buf, len, ce_ct_collect, &k, &done) < 0 ? -1 : k.n;
}
