#ifndef CEAGENT_INTERNAL_H
#define CEAGENT_INTERNAL_H
#include <linux/netlink.h>
#include "../include/ceagent.h"

int ce_ct_fill(const struct nlmsghdr *nlh, struct ce_ct_record *r);
/* *done is set when the buffer ends a dump (NLMSG_DONE). */
int ce_ct_parse_ex(const void *buf, size_t len, struct ce_ct_record *out, int max, int *done);

#endif
