/* Records raw conntrack netlink datagrams for the parser tests: independent of libceagent on purpose.
 *   ce-ct-capture events FILE N   -> the next N event datagrams (NEW and DESTROY groups)
 *   ce-ct-capture dump FILE       -> the datagrams of one IPv4 table dump
 * FILE holds records of [uint32 length, host order][datagram]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_compat.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

static void put(FILE *f, const char *buf, ssize_t len)
{
	uint32_t n = (uint32_t)len;
	fwrite(&n, sizeof(n), 1, f);
	fwrite(buf, 1, (size_t)len, f);
	fflush(f);
}

int main(int argc, char **argv)
{
	static char buf[65536];
	if (argc < 3)
		return fprintf(stderr, "usage: %s events FILE N | dump FILE\n", argv[0]), 2;
	int events = strcmp(argv[1], "events") == 0;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	FILE *f = fopen(argv[2], "wb");
	if (nl == NULL || f == NULL || mnl_socket_bind(nl, events ? NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_DESTROY : 0, MNL_SOCKET_AUTOPID) < 0)
		return perror("capture"), 1;
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (events) {
		printf("ready\n");
		fflush(stdout);
		for (int i = 0, n = atoi(argv[3]); i < n; i++) {
			ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (len < 0)
				return perror("recv"), 1;
			put(f, buf, len);
		}
	} else {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = (uint32_t)time(NULL);
		struct nfgenmsg *nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
		nfh->nfgen_family = AF_INET;
		nfh->version = NFNETLINK_V0;
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			return perror("send"), 1;
		for (;;) {
			ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (len < 0)
				return perror("recv"), 1;
			put(f, buf, len);
			if (((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_DONE)
				break;
			/* The last datagram of a dump may carry flows and then NLMSG_DONE. */
			int rem = (int)len;
			struct nlmsghdr *h = (struct nlmsghdr *)buf;
			int done = 0;
			while (mnl_nlmsg_ok(h, rem)) {
				if (h->nlmsg_type == NLMSG_DONE)
					done = 1;
				h = mnl_nlmsg_next(h, &rem);
			}
			if (done)
				break;
		}
	}
	fclose(f);
	mnl_socket_close(nl);
	return 0;
}
