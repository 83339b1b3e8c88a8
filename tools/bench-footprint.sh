#!/usr/bin/env bash
# make bench-footprint: the NativeAOT agent's memory with many flows alive at once, on this machine (x64),
# in a namespace router (tools/nat-router.sh) with a plain local mosquitto: `ce-agent run` watches while
# N new UDP flows go through the NAT, and its VmRSS/VmHWM are read from /proc. The arm64 figure comes from
# `make bench-arm64` (the same flood in the VM). Root only. Results: stdout and build/bench-footprint.txt.
# AGENT=path (default: the linux-x64 NativeAOT build), N=flows (default 65000), DOTNET_* GC knobs pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-footprint: needs root (network namespaces)" >&2; exit 1; }
GEN=build/native/$(uname -m)/ce-flowgen
AGENT=$(realpath "${AGENT:-build/aot/linux-x64/publish/ce-agent}")
N=${N:-65000}
[ -x "$AGENT" ] || { echo "bench-footprint: no $AGENT (make aot RID=linux-x64)" >&2; exit 1; }
p=cefp$$
work=$(mktemp -d /tmp/ce-footprint.XXXXXX)
pids=()
cleanup() { for q in "${pids[@]}"; do kill "$q" 2>/dev/null || true; done; wait 2>/dev/null || true; tools/nat-router.sh down $p; rm -rf "$work"; }
trap cleanup EXIT
AGENT=build/bin/ce-agent tools/nat-router.sh up $p
in_ce() { ip netns exec ${p}ce "$@"; }
in_ce sysctl -qw net.netfilter.nf_conntrack_udp_timeout=900
sysctl -qw net.netfilter.nf_conntrack_max=$((N + 16384)) 2>/dev/null || true
printf 'listener 1883 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n' > "$work/mosquitto.conf"
ip netns exec ${p}ce mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 & pids+=($!)
"$AGENT" key --public --key "$work/device.pem" > /dev/null
cat > "$work/agent.json" <<JSON
{ "ceId": "ce-footprint",
  "mape": { "rule6": "2001:db8::/40", "rule4": "192.0.2.0/24", "eaLength": 16, "psidOffset": 4, "prefix": "2001:db8:12:3400::/56" },
  "windowSeconds": 10, "batchWindows": 1, "closeDelaySeconds": 1,
  "spool": { "dir": "$work/spool", "maxBytes": 4194304 },
  "broker": { "host": "127.0.0.1", "port": 1883 },
  "filterKey": "000102030405060708090a0b0c0d0e0f", "filterKeyEpoch": 1, "keyFile": "$work/device.pem" }
JSON
chmod 600 "$work/agent.json" "$work/device.pem"
sleep 0.5
ip netns exec ${p}ce "$AGENT" run --config "$work/agent.json" > "$work/agent.log" 2>&1 & agent=$!; pids+=($agent)
sleep 3
kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/$agent/status; }
{
echo "# ce-agent run footprint: $N UDP flows alive ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r), $(date -u +%FT%TZ))"
echo "agent: $AGENT ($(stat -c %s "$AGENT") bytes)${DOTNET_GCgen0size:+ DOTNET_GCgen0size=$DOTNET_GCgen0size}${DOTNET_GCHeapHardLimit:+ DOTNET_GCHeapHardLimit=$DOTNET_GCHeapHardLimit}${DOTNET_GCConserveMemory:+ DOTNET_GCConserveMemory=$DOTNET_GCConserveMemory}"
echo "idle: VmRSS $(kb VmRSS) kB"
gen=$(ip netns exec ${p}lan "$GEN" 198.51.100.10 1 "$N" "${RATE:-20000}")
echo "flowgen: $gen"
sleep 25 # two 10 s windows close, sweeps run
echo "with $(in_ce cat /proc/sys/net/netfilter/nf_conntrack_count) flows in the table: VmRSS $(kb VmRSS) kB, peak VmHWM $(kb VmHWM) kB"
kill -TERM $agent; for i in $(seq 100); do kill -0 $agent 2>/dev/null || break; sleep 0.1; done
echo "resynchronisations (events lost): $(grep -c 'resynchronised' "$work/agent.log" || true); $(grep -o 'stopped: .*' "$work/agent.log")"
grep -i 'error\|fault' "$work/agent.log" | head -3 || true
} | tee build/bench-footprint.txt
