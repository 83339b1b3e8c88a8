/* The part of libmnl's API that libceagent uses, implemented in mnl.c with libmnl's names and semantics.
 * Why not libmnl itself: the OpenWrt agent is one static executable (docs/device-build.md, "OpenWrt is
 * musl"), and Debian serves libmnl only as a shared library; its source package is not served by this
 * machine's Debian registry either. Twenty small functions (about 150 lines) cost less than a library
 * that cannot be linked in. The C tests still build their messages with the real libmnl, so this subset
 * is checked against the served library's encoder. */
#ifndef CEAGENT_MNL_H
#define CEAGENT_MNL_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/netlink.h>

#define MNL_ALIGNTO 4
#define MNL_ALIGN(len) (((len) + MNL_ALIGNTO - 1) & ~(MNL_ALIGNTO - 1))
#define MNL_NLMSG_HDRLEN MNL_ALIGN(sizeof(struct nlmsghdr))
#define MNL_ATTR_HDRLEN MNL_ALIGN(sizeof(struct nlattr))
#define MNL_SOCKET_AUTOPID 0

#define MNL_CB_ERROR -1
#define MNL_CB_STOP 0
#define MNL_CB_OK 1

/* Only the two validation kinds libceagent asks for. */
enum mnl_attr_data_type { MNL_TYPE_UNSPEC, MNL_TYPE_U32 };

typedef int (*mnl_attr_cb_t)(const struct nlattr *attr, void *data);

struct mnl_socket;

size_t mnl_nlmsg_size(size_t len);
struct nlmsghdr *mnl_nlmsg_put_header(void *buf);
void *mnl_nlmsg_put_extra_header(struct nlmsghdr *nlh, size_t size);
void *mnl_nlmsg_get_payload(const struct nlmsghdr *nlh);
struct nlmsghdr *mnl_nlmsg_next(const struct nlmsghdr *nlh, int *len);

uint16_t mnl_attr_get_type(const struct nlattr *attr);
uint16_t mnl_attr_get_payload_len(const struct nlattr *attr);
void *mnl_attr_get_payload(const struct nlattr *attr);
uint8_t mnl_attr_get_u8(const struct nlattr *attr);
uint16_t mnl_attr_get_u16(const struct nlattr *attr);
uint32_t mnl_attr_get_u32(const struct nlattr *attr);
uint64_t mnl_attr_get_u64(const struct nlattr *attr);
int mnl_attr_validate(const struct nlattr *attr, enum mnl_attr_data_type type);
int mnl_attr_parse(const struct nlmsghdr *nlh, unsigned int offset, mnl_attr_cb_t cb, void *data);
int mnl_attr_parse_nested(const struct nlattr *nested, mnl_attr_cb_t cb, void *data);

struct mnl_socket *mnl_socket_open(int bus);
int mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid);
int mnl_socket_get_fd(const struct mnl_socket *nl);
ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t bufsiz);
int mnl_socket_close(struct mnl_socket *nl);

#endif
