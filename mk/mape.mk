# MAP-E: the namespace tests of the rendered SNAT rules need nft, conntrack, socat and ping.
DEPS_APT += nftables conntrack socat iputils-ping
