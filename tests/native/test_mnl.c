/* libceagent's netlink subset (native/src/mnl.h) on its own, without libmnl: the attribute walker on
 * hand-built buffers (well-formed, short, overlong, cut off), its validation and callback protocol, and the
 * socket calls against the kernel's NETLINK_ROUTE (no root needed): a reply larger than the buffer is
 * ENOSPC, never a silently cut message. Writes "PASSED FAILED" to argv[1]. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include "../../native/src/mnl.h"

static int passed, failed;
#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static _Alignas(4) char buf[256];

/* An attribute of type t with len payload bytes (nla_len as given, so a test can lie about it). */
static size_t put_attr(size_t at, uint16_t t, uint16_t nla_len, const void *payload, size_t len)
{
	struct nlattr a = { .nla_len = nla_len, .nla_type = t };
	memcpy(buf + at, &a, sizeof(a));
	memcpy(buf + at + MNL_ATTR_HDRLEN, payload, len);
	return at + MNL_ALIGN(MNL_ATTR_HDRLEN + len);
}

/* A message with a 4-byte family header followed by the attributes up to end. */
static struct nlmsghdr *message(size_t end)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = (uint32_t)end;
	return nlh;
}

struct seen { int n; uint16_t types[8]; int stop_at; };

static int record(const struct nlattr *a, void *data)
{
	struct seen *s = data;
	if (s->n < 8)
		s->types[s->n] = mnl_attr_get_type(a);
	s->n++;
	return s->n == s->stop_at ? MNL_CB_STOP : MNL_CB_OK;
}

static void test_walk(void)
{
	const uint32_t u32 = 0x01020304;
	const uint64_t u64 = 0x1122334455667788ull;
	const size_t first = MNL_NLMSG_HDRLEN + 4;
	memset(buf, 0, sizeof(buf));
	size_t at = put_attr(first, 1, MNL_ATTR_HDRLEN + 4, &u32, 4);
	at = put_attr(at, 2 | NLA_F_NESTED, MNL_ATTR_HDRLEN + 8, &u64, 8);
	at = put_attr(at, 3, MNL_ATTR_HDRLEN + 1, "x", 1); /* padded to 4 */
	struct seen s = { 0 };
	CHECK(mnl_attr_parse(message(at), 4, record, &s) == MNL_CB_OK && s.n == 3 && s.types[0] == 1 && s.types[1] == 2 && s.types[2] == 3,
	      "three attributes walked in order, the nested flag masked off (%d seen)", s.n);
	const struct nlattr *a1 = (const struct nlattr *)(buf + first);
	const struct nlattr *a2 = (const struct nlattr *)(buf + first + 8);
	CHECK(mnl_attr_get_u32(a1) == u32 && mnl_attr_get_payload_len(a1) == 4, "u32 payload");
	CHECK(mnl_attr_get_u64(a2) == u64, "u64 payload at a 4-byte boundary");
	CHECK(mnl_attr_validate(a1, MNL_TYPE_U32) == 0, "a 4-byte attribute is a valid u32");
	errno = 0;
	CHECK(mnl_attr_validate(a2, MNL_TYPE_U32) == -1 && errno == ERANGE, "an 8-byte attribute is not a u32 (ERANGE)");
	CHECK(mnl_attr_validate(a2, MNL_TYPE_UNSPEC) == 0, "any length is a valid UNSPEC");

	s = (struct seen){ .stop_at = 2 };
	CHECK(mnl_attr_parse(message(at), 4, record, &s) == MNL_CB_STOP && s.n == 2, "MNL_CB_STOP ends the walk and is returned");

	s = (struct seen){ 0 };
	CHECK(mnl_attr_parse(message(at - 3), 4, record, &s) == MNL_CB_OK && s.n == 3, "the last attribute's padding may be left out");
	s = (struct seen){ 0 };
	CHECK(mnl_attr_parse(message(at - 4), 4, record, &s) == MNL_CB_OK && s.n == 2,
	      "an attribute cut off by the message's end is not visited (%d seen)", s.n);
	s = (struct seen){ 0 };
	CHECK(mnl_attr_parse(message(first - 2), 4, record, &s) == MNL_CB_OK && s.n == 0, "a message shorter than its family header: no attribute");

	at = put_attr(first, 1, 2, "", 0); /* nla_len below the header: never a step of 0 */
	s = (struct seen){ 0 };
	CHECK(mnl_attr_parse(message(first + 8), 4, record, &s) == MNL_CB_OK && s.n == 0, "an attribute shorter than its header stops the walk");
	put_attr(first, 1, 200, &u32, 4); /* nla_len beyond the message */
	s = (struct seen){ 0 };
	CHECK(mnl_attr_parse(message(first + 8), 4, record, &s) == MNL_CB_OK && s.n == 0, "an attribute longer than the message stops the walk");

	/* Nested: the inner walk stays inside the outer attribute's payload. */
	memset(buf, 0, sizeof(buf));
	size_t in = put_attr(first + MNL_ATTR_HDRLEN, 7, MNL_ATTR_HDRLEN + 4, &u32, 4);
	in = put_attr(in, 8, MNL_ATTR_HDRLEN + 4, &u32, 4);
	put_attr(first, 5 | NLA_F_NESTED, (uint16_t)(in - first - 8), "", 0); /* claims only the first inner one */
	s = (struct seen){ 0 };
	CHECK(mnl_attr_parse_nested((const struct nlattr *)(buf + first), record, &s) == MNL_CB_OK && s.n == 1 && s.types[0] == 7,
	      "a nested walk ends at its attribute's length (%d seen)", s.n);

	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	CHECK(nlh->nlmsg_len == MNL_NLMSG_HDRLEN && mnl_nlmsg_size(4) == MNL_NLMSG_HDRLEN + 4, "header and sizes");
	char *extra = mnl_nlmsg_put_extra_header(nlh, 3);
	CHECK(extra == (char *)mnl_nlmsg_get_payload(nlh) && nlh->nlmsg_len == MNL_NLMSG_HDRLEN + 4, "extra header aligned to 4");
	int rem = 100;
	CHECK((char *)mnl_nlmsg_next(nlh, &rem) == buf + 20 && rem == 80, "next message after an aligned length");
}

static void test_socket(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	CHECK(nl != NULL && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0, "open and bind a NETLINK_ROUTE socket (%s)", strerror(errno));
	if (nl == NULL)
		return;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	CHECK(mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) == (ssize_t)nlh->nlmsg_len, "a dump request sent");
	char small[16]; /* smaller than any link message */
	errno = 0;
	CHECK(mnl_socket_recvfrom(nl, small, sizeof(small)) == -1 && errno == ENOSPC, "a reply larger than the buffer is ENOSPC (%s)", strerror(errno));
	CHECK(mnl_socket_get_fd(nl) >= 0 && mnl_socket_close(nl) == 0, "closed");
}

int main(int argc, char **argv)
{
	test_walk();
	test_socket();
	printf("mnl: %d passed, %d failed\n", passed, failed);
	if (argc > 1) {
		FILE *f = fopen(argv[1], "w");
		if (f != NULL) {
			fprintf(f, "%d %d\n", passed, failed);
			fclose(f);
		}
	}
	return failed == 0 ? 0 : 1;
}
