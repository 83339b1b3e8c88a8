#!/usr/bin/env bash
# make bench-conntrack: the agent's conntrack ingest path (read, decode, track) against conntrack-tools'
# `conntrack -E -o ktimestamp` on the same generated stream of new UDP flows, in a namespace router.
# Reports events/s and CPU seconds per million events, then the highest new-flow rate the agent follows
# with zero loss (default 4 MiB receive buffer). Root only. Results: stdout and build/bench-conntrack.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-conntrack: needs root (network namespaces)" >&2; exit 1; }
GEN=build/native/$(uname -m)/ce-flowgen
AGENT=${AGENT:-build/bin/ce-agent}
N=${N:-60000}
p=cebench$$
out=build/bench-conntrack.txt
trap 'tools/nat-router.sh down $p' EXIT
tools/nat-router.sh up $p
MAPE=(--rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 4 --prefix 2001:db8:12:3400::/56)
in_ce() { ip netns exec ${p}ce "$@"; }
flush() { in_ce conntrack -F >/dev/null 2>&1 || true; sleep 1; }
# cpu LISTENER...: runs the listener while N flows are generated at full speed; prints "events cpu_s wall_s"
cpu() {
  local gen t0 tfile=$(mktemp) lfile=$(mktemp)
  /usr/bin/time -f '%U %S' -o "$tfile" "$@" > "$lfile" 2>/dev/null &
  local pid=$!
  sleep 1.5
  gen=$(ip netns exec ${p}lan "$GEN" 198.51.100.10 1024 "$N" 0 | awk '{print $4}')
  wait $pid || true
  echo "$(wc -l < "$lfile") | $(tail -1 "$lfile") | $(grep -v 'exited' "$tfile" | tail -1) | $gen"
  rm -f "$tfile" "$lfile"
}
{
echo "# conntrack ingest: $N new UDP flows at full speed ($(nproc) cores, $(uname -r), $(date -u +%F))"
flush
base=$(/usr/bin/time -f '%U %S' "$AGENT" --version 2>&1 >/dev/null | tail -1 | awk '{print $1+$2}')
a=$(cpu ip netns exec ${p}ce "$AGENT" flows --quiet --json --until-idle 2 "${MAPE[@]}")
flush
c=$(cpu ip netns exec ${p}ce timeout -s INT 8 conntrack -E -e NEW -o ktimestamp)
echo "agent raw: $a (start-up CPU $base s)"
echo "conntrack raw: $c"
python3 - "$a" "$c" "$base" "$N" <<'PY'
import re, sys
a, c, base = sys.argv[1].split('|'), sys.argv[2].split('|'), float(sys.argv[3])
ev = int(re.search(r'"events":(\d+)', a[1]).group(1)); lost = int(re.search(r'"losses":(\d+)', a[1]).group(1))
acpu = sum(float(x) for x in a[2].split()) - base
cev = int(c[0])  # one line per NEW event
ccpu = sum(float(x) for x in c[2].split())
n = int(sys.argv[4])
print(f"stream: {n/float(a[3]):,.0f} and {n/float(c[3]):,.0f} new flows/s while each listened (generator at full speed)")
print("| reader | events read | losses | CPU s per million events | events per CPU-second |")
print("|---|---:|---:|---:|---:|")
print(f"| ce-agent flows (read, decode, track) | {ev} | {lost} | {acpu/ev*1e6:.2f} | {ev/acpu:,.0f} |")
print(f"| conntrack -E -o ktimestamp | {cev} | - | {ccpu/cev*1e6:.2f} | {cev/ccpu:,.0f} |")
PY
echo
echo "# highest new-flow rate with zero loss (agent, 4 MiB buffer, 20 s of flows at each rate)"
for rate in 2000 5000 10000 20000 40000 80000; do
  flush
  n=$((rate * 20)); [ $n -gt 60000 ] && n=60000
  log=$(mktemp)
  in_ce "$AGENT" flows --quiet --json --until-idle 2 "${MAPE[@]}" > "$log" &
  pid=$!; sleep 1.5
  gen=$(ip netns exec ${p}lan "$GEN" 198.51.100.10 1024 $n $rate)
  wait $pid || true
  echo "rate $rate/s: $gen; agent: $(tail -1 $log)"
  rm -f "$log"
done
} | tee "$out"
