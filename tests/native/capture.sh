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
trap 'tools/nat-router.sh down $p' EXIT
tools/nat-router.sh up $p
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
