#!/usr/bin/env bash
# A CE router out of three namespaces, for scripts (the C# tests have tests/CeAgent.TestKit/NatRouter.cs):
# PREFIXlan (192.168.1.2) -> PREFIXce (SNAT onto the port set `ce-agent mape --nft` renders for PSID 0x34
# of 192.0.2.18) -> PREFIXup (198.51.100.10).
# usage: nat-router.sh up PREFIX | down PREFIX
set -euo pipefail
cmd=${1:?up or down}; p=${2:?namespace prefix}
AGENT=${AGENT:-build/bin/ce-agent}
case $cmd in
down)
  for n in lan ce up; do ip netns del "$p$n" 2>/dev/null || true; done ;;
up)
  for n in lan ce up; do ip netns add "$p$n"; ip -n "$p$n" link set lo up; done
  ip link add "${p}a" type veth peer name "${p}b"
  ip link set "${p}a" netns "${p}lan" name eth0; ip link set "${p}b" netns "${p}ce" name lan0
  ip link add "${p}c" type veth peer name "${p}d"
  ip link set "${p}c" netns "${p}ce" name wan; ip link set "${p}d" netns "${p}up" name eth0
  ip -n "${p}lan" addr add 192.168.1.2/24 dev eth0; ip -n "${p}lan" link set eth0 up
  ip -n "${p}lan" route add default via 192.168.1.1
  ip -n "${p}ce" addr add 192.168.1.1/24 dev lan0; ip -n "${p}ce" link set lan0 up
  ip -n "${p}ce" addr add 198.51.100.1/24 dev wan; ip -n "${p}ce" link set wan up
  ip -n "${p}up" addr add 198.51.100.10/24 dev eth0; ip -n "${p}up" link set eth0 up
  ip -n "${p}up" route add 192.0.2.18/32 via 198.51.100.1
  ip netns exec "${p}ce" sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_timestamp=1
  "$AGENT" mape --rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 4 \
    --prefix 2001:db8:12:3400::/56 --nft --wan wan | ip netns exec "${p}ce" nft -f - ;;
*) echo "usage: $0 up|down PREFIX" >&2; exit 2 ;;
esac
