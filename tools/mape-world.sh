#!/usr/bin/env bash
# A small MAP-E world in network namespaces, shared by `make demo` and the end-to-end tests.
#
#   lanN (192.168.1.2) -- ceN (NAPT onto 192.0.2.18 + its port set) --+
#                                                                      br -- prov (203.0.113.10)
#                                                                      |
#                                                                      +-- isp (198.51.100.10)
#
# This kernel has no ip6 tunnels, so the IPv6 access network between the CEs and the border relay is
# stood in for by point-to-point IPv4 links; what matters for attribution is kept: every CE SNATs onto
# the same shared IPv4 address, each inside its own port set, and the border relay (br) routes return
# traffic to the right CE by destination port, as a MAP-E BR does by PSID.
#
# usage: mape-world.sh up PREFIX PSID...   (prints nothing; namespaces are PREFIX-br, PREFIX-ce1, ...)
#        mape-world.sh down PREFIX
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AGENT=${CE_AGENT:-$here/../build/bin/ce-agent}
RULE=(--rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 4)
SHARED_IP=192.0.2.18

ns() { ip netns exec "$1" "${@:2}"; }

veth() { # veth NS_A IF_A ADDR_A NS_B IF_B ADDR_B
  local t=vw$$_$RANDOM
  ip link add "${t}a" type veth peer name "${t}b"
  ip link set "${t}a" netns "$1" name "$2"; ip link set "${t}b" netns "$4" name "$5"
  ns "$1" ip addr add "$3" dev "$2"; ns "$1" ip link set "$2" up
  ns "$4" ip addr add "$6" dev "$5"; ns "$4" ip link set "$5" up
}

prefix_for() { printf '2001:db8:12:%02x00::/56' "$1"; }

up() {
  local p=$1; shift
  for n in br prov isp; do ip netns add "$p-$n"; ns "$p-$n" ip link set lo up; done
  ns "$p-br" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0
  veth "$p-br" prov 203.0.113.1/24 "$p-prov" wan 203.0.113.10/24
  veth "$p-br" isp 198.51.100.1/24 "$p-isp" wan 198.51.100.10/24
  ns "$p-prov" ip route add default via 203.0.113.1
  ns "$p-isp" ip route add default via 198.51.100.1
  local marks="" i=0
  for psid in "$@"; do
    i=$((i + 1))
    local ce=$p-ce$i lan=$p-lan$i
    ip netns add "$ce"; ip netns add "$lan"; ns "$ce" ip link set lo up; ns "$lan" ip link set lo up
    veth "$p-br" "ce$i" "198.18.$i.1/30" "$ce" wan "198.18.$i.2/30"
    veth "$ce" lan 192.168.1.1/24 "$lan" eth0 192.168.1.2/24
    ns "$lan" ip route add default via 192.168.1.1
    ns "$ce" ip route add default via 198.18.$i.1
    ns "$ce" sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_timestamp=1 net.netfilter.nf_conntrack_events=1 2>/dev/null \
      || ns "$ce" sysctl -qw net.ipv4.ip_forward=1
    "$AGENT" mape "${RULE[@]}" --prefix "$(prefix_for "$psid")" --nft --wan wan | ns "$ce" nft -f -
    # Return traffic for this CE's ports is marked and routed to it.
    while read -r first last; do marks+="${marks:+, }$first-$last : $i"; done < <(
      "$AGENT" mape "${RULE[@]}" --prefix "$(prefix_for "$psid")" --json |
        grep -o '\[[0-9]*,[0-9]*\]' | tr -d '[]' | tr ',' ' ')  # the only [a,b] pairs are portRanges
    ns "$p-br" ip rule add fwmark "$i" table $((100 + i))
    ns "$p-br" ip route add default via "198.18.$i.2" table $((100 + i))
  done
  ns "$p-br" nft -f - <<NFT
table ip mape_br {
  map psid_route { typeof th dport : meta mark; flags interval; elements = { $marks } }
  map icmp_route { typeof icmp id : meta mark; flags interval; elements = { $marks } }
  chain pre {
    type filter hook prerouting priority mangle;
    ip daddr $SHARED_IP meta l4proto { tcp, udp } meta mark set th dport map @psid_route
    ip daddr $SHARED_IP icmp type echo-reply meta mark set icmp id map @icmp_route
  }
}
NFT
}

down() {
  local p=$1
  for n in $(ip netns list | awk '{print $1}' | grep -E "^$p-" || true); do
    ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$n" 2>/dev/null || true
  done
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) shift; down "$@" ;;
  *) echo "usage: $0 up PREFIX PSID... | down PREFIX" >&2; exit 2 ;;
esac
