/* libceagent: the CE agent's view of the kernel's conntrack table.
 *
 * One error rule for every function: on failure it returns -1 (or NULL) and sets errno.
 * ENOBUFS from ce_ct_read means the kernel dropped events because the socket's receive buffer was full:
 * the caller must re-synchronise from ce_ct_dump, as conntrackd does.
 */
#ifndef CEAGENT_H
#define CEAGENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CE_API __attribute__((visibility("default")))

enum ce_ct_kind {
	CE_CT_NEW = 1,     /* the flow was confirmed (its NAT mapping is fixed) */
	CE_CT_DESTROY = 2, /* the flow is gone */
	CE_CT_DUMP = 3,    /* the flow exists now (from a table dump) */
};

/* One flow event, fixed layout: the C# side declares the same struct (sizes are checked by tests).
 * Addresses are 16 bytes: IPv4 in the first 4 (network order), the rest zero. Ports in host order; for
 * ICMP the "ports" are the echo identifiers. Times are the kernel's CLOCK_REALTIME nanoseconds
 * (CTA_TIMESTAMP, present when net.netfilter.nf_conntrack_timestamp=1), 0 when absent. */
struct ce_ct_record {
	uint64_t start_ns;      /* kernel start time; the kernel sends it in DESTROY events and dumps only */
	uint64_t stop_ns;       /* kernel stop time, DESTROY events only */
	uint8_t orig_src[16];   /* the LAN host */
	uint8_t orig_dst[16];   /* the destination */
	uint8_t nat_src[16];    /* the public address: the reply tuple's destination address */
	uint32_t id;
	uint32_t mark;
	uint8_t kind;
	uint8_t family;         /* AF_INET or AF_INET6 */
	uint8_t l4proto;        /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, ... */
	uint8_t flags;          /* CE_CT_F_* */
	uint16_t zone;
	uint16_t orig_src_port; /* the LAN host's port */
	uint16_t orig_dst_port; /* the destination's port */
	uint16_t nat_src_port;  /* the public port the NAT chose: the reply tuple's destination port */
	uint32_t reserved;      /* explicit padding: 88 bytes on every ABI */
};

#define CE_CT_F_TIMESTAMP 0x01 /* start_ns (and stop_ns on destroy) came from the kernel */
#define CE_CT_F_SNAT 0x02      /* the source was translated */

struct ce_ct; /* an open event subscription or dump socket */

/* Subscribes to NEW and DESTROY events (never UPDATE). rcvbuf > 0 sizes the socket's receive buffer
 * (SO_RCVBUFFORCE when permitted, else SO_RCVBUF). The socket is non-blocking: poll ce_ct_fd. */
CE_API struct ce_ct *ce_ct_open_events(int rcvbuf);
CE_API int ce_ct_fd(const struct ce_ct *ct);
/* Reads what is queued, up to max records. Returns the count (0 when nothing is waiting), or -1 with
 * errno ENOBUFS after a loss (the kernel's counter is in ce_ct_lost), or another errno. */
CE_API int ce_ct_read(struct ce_ct *ct, struct ce_ct_record *out, int max);
/* After ENOBUFS: discards every queued event (they predate the dump that must follow), which also lets
 * the kernel report the next overrun. Returns the number of datagrams discarded. */
CE_API int ce_ct_drain(struct ce_ct *ct);
/* Events the kernel reported as lost (ENOBUFS occurrences) since open. */
CE_API uint64_t ce_ct_losses(const struct ce_ct *ct);
CE_API void ce_ct_close(struct ce_ct *ct);

/* Dumps the IPv4 table: calls back once per flow with kind CE_CT_DUMP. Returns the number of flows or -1. */
typedef int (*ce_ct_dump_cb)(const struct ce_ct_record *rec, void *arg);
CE_API int ce_ct_dump(ce_ct_dump_cb cb, void *arg);
/* The same into an array: returns the number of flows (which may exceed max: the rest were not stored). */
CE_API int ce_ct_dump_into(struct ce_ct_record *out, int max);

/* Parses a buffer of netlink messages as received from the conntrack socket (events or a dump reply)
 * into records. Exposed for tests against recorded messages. Returns the count, or -1 (EBADMSG). */
CE_API int ce_ct_parse(const void *buf, size_t len, struct ce_ct_record *out, int max);

/* The kernel's conntrack counters for this network namespace, summed over CPUs (as `conntrack -S`).
 * Fixed layout, declared the same on the C# side. Counters are cumulative since boot (32-bit per CPU in
 * the kernel, so they wrap): callers use differences. */
struct ce_ct_stats {
	uint64_t found;
	uint64_t invalid;
	uint64_t insert;
	uint64_t insert_failed; /* a new flow's tuple clashed: for a NAT, no free port in its range */
	uint64_t drop;          /* packets dropped for insert_failed or a full table */
	uint64_t early_drop;    /* flows evicted to make room in a full table */
	uint64_t error;
	uint64_t clash_resolve;
	uint32_t cpus;          /* per-CPU messages summed */
	uint32_t reserved;      /* explicit padding: 72 bytes on every ABI */
};

/* Reads the statistics (IPCTNL_MSG_CT_GET_STATS_CPU). Returns 0 or -1. */
CE_API int ce_ct_stats(struct ce_ct_stats *out);
/* The same from a buffer of netlink messages, for tests. Returns the number of CPUs summed, or -1. */
CE_API int ce_ct_parse_stats(const void *buf, size_t len, struct ce_ct_stats *out);

CE_API size_t ce_ct_record_size(void);
CE_API const char *ce_version(void);

#ifdef __cplusplus
}
#endif
#endif
