/* Parser tests against netlink messages recorded from the real kernel (tests/native/capture.sh), plus
 * malformed input. Writes "PASSED FAILED" to the file given as the second argument. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include "ceagent.h"

static int passed, failed;
#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

struct blob { unsigned char *data; size_t len; };

/* Records are [uint32 length][datagram]; returns the datagrams one after another. */
static int load(const char *dir, const char *name, struct blob *out, int max)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	int n = 0;
	uint32_t len;
	if (f == NULL)
		return -1;
	while (n < max && fread(&len, sizeof(len), 1, f) == 1) {
		out[n].data = malloc(len);
		out[n].len = fread(out[n].data, 1, len, f);
		n++;
	}
	fclose(f);
	return n;
}

static int in_port_set(int port) /* PSID 0x34, offset 4, length 8 */
{
	return port >= 4096 && ((port >> 4) & 0xff) == 0x34;
}

static void check_flow(const struct ce_ct_record *r, const char *what)
{
	unsigned char lan[4] = { 192, 168, 1, 2 }, up[4] = { 198, 51, 100, 10 }, pub[4] = { 192, 0, 2, 18 };
	CHECK(r->family == AF_INET, "%s: family %d", what, r->family);
	CHECK(memcmp(r->orig_src, lan, 4) == 0, "%s: original source", what);
	CHECK(memcmp(r->orig_dst, up, 4) == 0, "%s: original destination", what);
	CHECK(memcmp(r->nat_src, pub, 4) == 0, "%s: translated source", what);
	CHECK(in_port_set(r->nat_src_port), "%s: public port %d outside the set", what, r->nat_src_port);
	CHECK(r->flags & CE_CT_F_SNAT, "%s: SNAT flag", what);
	CHECK(r->id != 0, "%s: conntrack id", what);
	if (r->l4proto == IPPROTO_UDP)
		CHECK(r->orig_dst_port == 9, "%s: udp destination port %d", what, r->orig_dst_port);
	else if (r->l4proto == IPPROTO_TCP)
		CHECK(r->orig_dst_port == 8080, "%s: tcp destination port %d", what, r->orig_dst_port);
	else
		CHECK(r->l4proto == IPPROTO_ICMP, "%s: protocol %d", what, r->l4proto);
}

static void test_events(const char *dir)
{
	struct blob b[16];
	struct ce_ct_record r[16], rec;
	int n = load(dir, "events.bin", b, 16), news = 0, destroys = 0;
	CHECK(n == 6, "events.bin holds %d datagrams, expected 6", n);
	for (int i = 0; i < n; i++) {
		CHECK(ce_ct_parse(b[i].data, b[i].len, &rec, 1) == 1, "event %d parses", i);
		r[i] = rec;
		printf("event %d: kind %d proto %d id %u lan port %d dst port %d public port %d start %llu stop %llu\n", i, rec.kind,
		       rec.l4proto, rec.id, rec.orig_src_port, rec.orig_dst_port, rec.nat_src_port,
		       (unsigned long long)rec.start_ns, (unsigned long long)rec.stop_ns);
		check_flow(&rec, rec.kind == CE_CT_NEW ? "new" : "destroy");
		if (rec.kind == CE_CT_NEW) {
			news++;
			/* The kernel puts CTA_TIMESTAMP in DESTROY events and dumps, not in NEW events. */
			CHECK(rec.start_ns == 0 || rec.start_ns > 1700000000ull * 1000000000ull, "new event %d start time", i);
			CHECK(rec.stop_ns == 0, "new event %d has no stop time", i);
		} else {
			destroys++;
			CHECK(rec.kind == CE_CT_DESTROY, "event %d kind %d", i, rec.kind);
			CHECK(rec.stop_ns >= rec.start_ns && rec.start_ns > 0, "destroy %d: start %llu stop %llu", i,
			      (unsigned long long)rec.start_ns, (unsigned long long)rec.stop_ns);
		}
	}
	CHECK(news == 3 && destroys == 3, "%d new and %d destroy events", news, destroys);
	for (int i = 0; i < n; i++) /* every destroy matches a new by id, with the same public port */
		if (r[i].kind == CE_CT_DESTROY) {
			int found = 0;
			for (int j = 0; j < n; j++)
				found |= r[j].kind == CE_CT_NEW && r[j].id == r[i].id && r[j].nat_src_port == r[i].nat_src_port;
			CHECK(found, "destroy of id %u has a matching new", r[i].id);
		}
	for (int i = 0; i < n; i++)
		free(b[i].data);
}

static void test_dump(const char *dir)
{
	struct blob b[8];
	struct ce_ct_record r[8];
	int n = load(dir, "dump.bin", b, 8), total = 0;
	CHECK(n >= 1, "dump.bin holds %d datagrams", n);
	for (int i = 0; i < n; i++) {
		int got = ce_ct_parse(b[i].data, b[i].len, r + total, 8 - total);
		CHECK(got >= 0, "dump datagram %d parses (errno %d)", i, errno);
		for (int k = total; got > 0 && k < total + got; k++) {
			CHECK(r[k].kind == CE_CT_DUMP, "dump record kind %d", r[k].kind);
			check_flow(&r[k], "dump");
		}
		total += got > 0 ? got : 0;
	}
	CHECK(total == 3, "the dump holds %d flows, expected 3", total);
	for (int i = 0; i < n; i++)
		free(b[i].data);
}

static void test_malformed(const char *dir)
{
	struct blob b[16];
	struct ce_ct_record rec[4];
	int n = load(dir, "events.bin", b, 16);
	if (n < 1)
		return;
	errno = 0;
	CHECK(ce_ct_parse(b[0].data, b[0].len - 7, rec, 4) == -1 && errno == EBADMSG, "a truncated datagram is EBADMSG (errno %d)", errno);
	CHECK(ce_ct_parse(b[0].data, 3, rec, 4) == -1 && errno == EBADMSG, "a 3-byte datagram is EBADMSG");
	CHECK(ce_ct_parse(b[0].data, 0, rec, 4) == 0, "an empty buffer holds nothing");
	/* Random bit flips: any result is fine but a crash; valgrind/ASan runs catch memory errors. */
	unsigned seed = 20261125;
	int rejected = 0;
	for (int i = 0; i < 20000; i++) {
		unsigned char copy[2048];
		size_t len = b[i % n].len < sizeof(copy) ? b[i % n].len : sizeof(copy);
		memcpy(copy, b[i % n].data, len);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % len] ^= (unsigned char)(1u << ((seed >> 4) & 7));
		}
		if (ce_ct_parse(copy, len, rec, 4) < 0)
			rejected++;
	}
	CHECK(rejected > 0, "some of 20000 mutated datagrams are rejected (%d)", rejected);
	printf("mutations: %d of 20000 rejected, the rest parsed without crashing\n", rejected);
	for (int i = 0; i < n; i++)
		free(b[i].data);
}

/* One per-CPU statistics message as the kernel sends it (ctnetlink_ct_stat_cpu_fill_info): big-endian u32s. */
static size_t put_cpu_stats(char *buf, uint16_t cpu, uint32_t insert_failed, uint32_t drop, int attr_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS_CPU;
	nlh->nlmsg_flags = NLM_F_MULTI;
	struct nfgenmsg *nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = AF_UNSPEC;
	nfh->res_id = htons(cpu);
	mnl_attr_put_u32(nlh, CTA_STATS_FOUND, htonl(1000));
	mnl_attr_put_u32(nlh, CTA_STATS_SEARCHED, htonl(7)); /* retired: ignored */
	if (attr_len == 4)
		mnl_attr_put_u32(nlh, CTA_STATS_INSERT_FAILED, htonl(insert_failed));
	else
		mnl_attr_put(nlh, CTA_STATS_INSERT_FAILED, (size_t)attr_len, "\0\0\0\0\0\0\0\0");
	mnl_attr_put_u32(nlh, CTA_STATS_DROP, htonl(drop));
	mnl_attr_put_u32(nlh, CTA_STATS_CHAIN_TOOLONG + 5, htonl(99)); /* from a newer kernel: ignored */
	return nlh->nlmsg_len;
}

static void test_stats(void)
{
	char buf[1024];
	struct ce_ct_stats s;
	size_t len = put_cpu_stats(buf, 0, 37, 37, 4);
	len += put_cpu_stats(buf + len, 1, 23, 25, 4);
	struct nlmsghdr *done = mnl_nlmsg_put_header(buf + len);
	done->nlmsg_type = NLMSG_DONE;
	len += done->nlmsg_len;
	CHECK(sizeof(struct ce_ct_stats) == 72, "stats are 72 bytes (%zu)", sizeof(struct ce_ct_stats));
	CHECK(ce_ct_parse_stats(buf, len, &s) == 2, "two CPUs summed");
	CHECK(s.insert_failed == 60 && s.drop == 62 && s.found == 2000 && s.early_drop == 0,
	      "sums: insert_failed %llu drop %llu found %llu", (unsigned long long)s.insert_failed,
	      (unsigned long long)s.drop, (unsigned long long)s.found);
	errno = 0;
	CHECK(ce_ct_parse_stats(buf, len - 3, &s) == -1 && errno == EBADMSG, "a truncated reply is EBADMSG");
	len = put_cpu_stats(buf, 0, 1, 1, 2);
	errno = 0;
	CHECK(ce_ct_parse_stats(buf, len, &s) == -1 && errno == EBADMSG, "a counter of 2 bytes is EBADMSG");
	len = put_cpu_stats(buf, 0, 1, 1, 4);
	((struct nlmsghdr *)buf)->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS;
	errno = 0;
	CHECK(ce_ct_parse_stats(buf, len, &s) == -1 && errno == EBADMSG, "a message of another kind is EBADMSG");
	errno = 0;
	CHECK(ce_ct_parse_stats(buf, len, NULL) == -1 && errno == EINVAL, "no output is EINVAL");
	len = put_cpu_stats(buf, 0, 5, 5, 4);
	char copy[1024];
	unsigned seed = 7;
	int rejected = 0;
	for (int i = 0; i < 20000; i++) { /* under ASan: mutated replies never crash or read out of bounds */
		memcpy(copy, buf, len);
		seed = seed * 1103515245u + 12345u;
		copy[(seed >> 8) % len] ^= (char)(1u << ((seed >> 4) & 7));
		rejected += ce_ct_parse_stats(copy, len, &s) < 0;
	}
	CHECK(rejected > 0, "some of 20000 mutated statistics replies are rejected (%d)", rejected);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/native/data";
	CHECK(ce_ct_record_size() == 88 && sizeof(struct ce_ct_record) == 88, "record is 88 bytes (%zu)", ce_ct_record_size());
	CHECK(offsetof(struct ce_ct_record, orig_src) == 16 && offsetof(struct ce_ct_record, nat_src) == 48 && offsetof(struct ce_ct_record, id) == 64 && offsetof(struct ce_ct_record, nat_src_port) == 82, "record layout");
	CHECK(strncmp(ce_version(), "libceagent ", 11) == 0, "version string");
	test_events(dir);
	test_dump(dir);
	test_malformed(dir);
	test_stats();
	printf("native: %d passed, %d failed\n", passed, failed);
	if (argc > 2) {
		FILE *f = fopen(argv[2], "w");
		if (f != NULL) {
			fprintf(f, "%d %d\n", passed, failed);
			fclose(f);
		}
	}
	return failed == 0 ? 0 : 1;
}
