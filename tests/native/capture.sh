#!/usr/bin/env bash
# Re-records tests/native/data from the real kernel (root): a LAN namespace behind a CE namespace that SNATs
# onto the v6plus-like port set of PSID 0x34 (192.0.2.18, ports 4928-4943, ...), an upstream namespace.
# Traffic: UDP to 198.51.100.10:9, a TCP connection to :8080, an ICMP echo. Then the table is dumped and
# flushed (the flush produces the DESTROY events). test_parse.c asserts on exactly this traffic.
set -euo pipefail
cd "$(dirname "$0")/../.."
CAP=build/native/$(uname -m)/ce-ct-capture
OUT=tests/native/data
p=cecap$$
cleanup() { for n in lan ce up; do ip netns del $p$n 2>/dev/null || true; done; }
trap cleanup EXIT
for n in lan ce up; do ip netns add $p$n; ip -n $p$n link set lo up; done
ip link add ${p}a type veth peer name ${p}b; ip link set ${p}a netns ${p}lan name eth0; ip link set ${p}b netns ${p}ce name lan0
ip link add ${p}c type veth peer name ${p}d; ip link set ${p}c netns ${p}ce name wan; ip link set ${p}d netns ${p}up name eth0
ip -n ${p}lan addr add 192.168.1.2/24 dev eth0; ip -n ${p}lan link set eth0 up; ip -n ${p}lan route add default via 192.168.1.1
ip -n ${p}ce addr add 192.168.1.1/24 dev lan0; ip -n ${p}ce link set lan0 up
ip -n ${p}ce addr add 198.51.100.1/24 dev wan; ip -n ${p}ce link set wan up
ip -n ${p}up addr add 198.51.100.10/24 dev eth0; ip -n ${p}up link set eth0 up; ip -n ${p}up route add 192.0.2.18/32 via 198.51.100.1
ip netns exec ${p}ce sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_timestamp=1
build/bin/ce-agent mape --rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 4 \
  --prefix 2001:db8:12:3400::/56 --nft --wan wan | ip netns exec ${p}ce nft -f -
ip netns exec ${p}up timeout 20 socat TCP-LISTEN:8080,reuseaddr SYSTEM:'sleep 1' >/dev/null 2>&1 &
sleep 0.3
# 3 NEW events (udp, tcp, icmp), then 3 DESTROY events from the flush.
ip netns exec ${p}ce "$CAP" events $OUT/events.bin 6 > /tmp/$p.ready &
cap=$!
for i in $(seq 50); do grep -q ready /tmp/$p.ready 2>/dev/null && break; sleep 0.1; done
ip netns exec ${p}lan bash -c 'echo x > /dev/udp/198.51.100.10/9; exec 3<>/dev/tcp/198.51.100.10/8080; ping -c1 -W2 198.51.100.10 >/dev/null; sleep 0.3'
ip netns exec ${p}ce "$CAP" dump $OUT/dump.bin
ip netns exec ${p}ce conntrack -L 2>/dev/null > $OUT/conntrack-L.txt
ip netns exec ${p}ce conntrack -F 2>/dev/null
wait $cap
ls -l $OUT
