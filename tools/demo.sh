#!/usr/bin/env bash
# make demo: three CE routers share 192.0.2.18 (PSIDs 0x12, 0x34, 0x56) in network namespaces, each running
# `ce-agent run` behind its own nftables NAPT; a border relay routes return traffic by port set; a
# mosquitto with TLS and `ce-isp collect` run in the ISP's namespace; a content provider logs accesses
# without source ports. Traffic is generated, windows close, and every provider log line is resolved with
# `ce-isp resolve`, printed next to the truth. Lines starting with RESULT are for the end-to-end test.
# SERVE=1 (make demo SERVE=1) then starts `ce-isp serve` on 127.0.0.1:${DESK_PORT:-8080} and keeps the world up.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces, conntrack, nftables); try: sudo make demo" >&2; exit 1; }
for t in nft conntrack mosquitto openssl socat ip; do
  command -v $t >/dev/null || { echo "demo: '$t' is missing; run 'make deps' first" >&2; exit 1; }
done
root=$PWD
. "$root/tools/pki.sh"
AGENT=$root/build/bin/ce-agent ISP=$root/build/bin/ce-isp
[ -x "$AGENT" ] && [ -x "$ISP" ] || { echo "demo: build first (make build)" >&2; exit 1; }
W=${DEMO_WINDOW:-10}
p=demo$$
work=$(mktemp -d /tmp/ce-demo.XXXXXX)
cleanup() {
  set +e
  for ns in $(ip netns list | awk '{print $1}' | grep "^$p-"); do ip netns pids "$ns" | xargs -r kill 2>/dev/null; done
  sleep 0.5
  bash "$root/tools/mape-world.sh" down $p
  [ -n "${desk_pid:-}" ] && kill "$desk_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
say() { printf '\n== %s\n' "$*"; }

say "MAP-E world: border relay, 3 CEs sharing 192.0.2.18, their LANs, a provider (203.0.113.10), the ISP (198.51.100.10)"
CE_AGENT=$AGENT bash tools/mape-world.sh up $p 0x12 0x34 0x56
in_ns() { ip netns exec "$p-$1" "${@:2}"; }
# A closed TCP flow stays in conntrack for TIME_WAIT (120 s), and summaries count it as alive; the demo
# shortens that so its accesses can be a few seconds apart. Real accesses are minutes apart.
for i in 1 2 3; do for s in time_wait close_wait last_ack fin_wait close; do
  in_ns "ce$i" sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_$s=2; done; done

say "PKI, broker (TLS, client certificates, per-CE ACL) and collector in the ISP's namespace"
cd "$work"
pki_ca demo-ca
pki_issue server broker "subjectAltName=IP:198.51.100.10"
pki_issue collector collector "extendedKeyUsage=clientAuth"
pki_acl
cat > mosquitto.conf <<CONF
user root
per_listener_settings false
allow_anonymous false
persistence false
acl_file $work/acl
log_dest file $work/mosquitto.log
listener 8883 198.51.100.10
cafile $work/ca.crt
certfile $work/server.crt
keyfile $work/server.key
require_certificate true
use_identity_as_username true
CONF
in_ns isp mosquitto -c mosquitto.conf -d
devices=""
for i in 1 2 3; do
  pki_issue "ce$i" "ce-000$i" "extendedKeyUsage=clientAuth"
  "$AGENT" key --public --key "$work/ce$i-device.pem" > "ce$i.pub"
  devices+="${devices:+,}{\"ceId\":\"ce-000$i\",\"line\":\"line-$i\",\"publicKeyPem\":$(sed ':a;N;$!ba;s/\n/\\n/g;s/.*/"&"/' ce$i.pub)}"
done
cat > isp.json <<JSON
{ "store": { "kind": "sqlite", "target": "$work/summaries.db" },
  "broker": { "host": "198.51.100.10", "port": 8883, "caFile": "$work/ca.crt", "certFile": "$work/collector.crt", "keyFile": "$work/collector.key" },
  "devices": [ $devices ],
  "masterKeyFile": "$work/master.key",
  "auditLog": "$work/audit.jsonl",
  "desk": { "users": "$work/users.json", "dataDir": "$work/desk" } }
JSON
chmod 600 isp.json
"$ISP" key master --out "$work/master.key" > /dev/null
in_ns isp "$ISP" collect --config isp.json > collector.log 2>&1 &

say "agents: one 'ce-agent run' per CE, ${W}-s windows"
# This machine's kernel clock is not NTP-synchronised. The demo stands in for OpenWrt's busybox ntpd
# and writes the hotplug signal the agents accept instead (docs/clock.md).
printf 'action=stratum stratum=2 offset=0.002 uptime=%s\n' "$(cut -d' ' -f1 /proc/uptime)" > "$work/ntp-signal"
psids=(0 12 34 56)
for i in 1 2 3; do
  cat > "ce$i.json" <<JSON
{ "ceId": "ce-000$i",
  "mape": { "rule6": "2001:db8::/40", "rule4": "192.0.2.0/24", "eaLength": 16, "psidOffset": 4, "prefix": "2001:db8:12:${psids[$i]}00::/56" },
  "windowSeconds": $W, "batchWindows": 1, "closeDelaySeconds": 1,
  "spool": { "dir": "$work/ce$i-spool", "maxBytes": 1048576 },
  "broker": { "host": "198.51.100.10", "port": 8883, "caFile": "$work/ca.crt", "certFile": "$work/ce$i.crt", "keyFile": "$work/ce$i.key" },
  "filterKey": "$("$ISP" key derive --ce-id "ce-000$i" --epoch 1 --out "$work/ce$i.filter-key" --config isp.json > /dev/null && cat "$work/ce$i.filter-key")",
  "filterKeyEpoch": 1,
  "keyFile": "$work/ce$i-device.pem", "ntpSignal": "$work/ntp-signal" }
JSON
  chmod 600 "ce$i.json"
  in_ns "ce$i" "$AGENT" run --config "ce$i.json" > "ce$i.log" 2>&1 &
done

say "the content provider at 203.0.113.10:80 logs time, client IP and its own address, but no source port"
cat > provider.sh <<'SH'
#!/bin/sh
printf '%s %s 203.0.113.10 80\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$SOCAT_PEERADDR" >> "$LOG"
printf 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n'
SH
chmod +x provider.sh
in_ns prov env LOG="$work/provider.log" socat TCP-LISTEN:80,reuseaddr,fork EXEC:"$work/provider.sh" &
sleep 3

say "traffic: who visits the provider is the truth the resolver must find"
get() { in_ns "lan$1" bash -c 'exec 3<>/dev/tcp/203.0.113.10/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; cat <&3 >/dev/null'; echo "lan$1" >> truth; }
noise() { in_ns "lan$1" bash -c 'for p in 443 853 8443; do timeout 1 bash -c "exec 3<>/dev/tcp/198.51.100.10/$p" 2>/dev/null; done; true'; }
# Every household is busy a little before and after the shared moment, so its records cover it: a CE whose
# records begin or end within the provider's accuracy cannot be ruled out, and "none" below would be "unknown".
noise 1; noise 2; noise 3; sleep 2
get 1; get 2                 # two households at (nearly) the same moment: one observation cannot tell them apart
sleep 2; noise 1; noise 2; noise 3
sleep $((2 * W + 5))        # well clear of the first windows (the provider's clock is good to 1 s)
get 1                        # household 1 again, in a later window: two observations separate it
sleep $((2 * W + 4))         # let the windows close, be signed, spooled, published and stored

say "the provider's log"
cat provider.log
say "resolving each logged access"
n=0
while read -r time ip dst port; do
  n=$((n + 1)); truth=$(sed -n "${n}p" truth)
  printf '{"requester":"demo","reference":"log line %d","observations":[{"ip":"%s","time":"%s","timeAccuracyMs":1000,"dstIp":"%s","dstPort":%s,"proto":"tcp"}]}\n' \
    $n "$ip" "$time" "$dst" "$port" > req$n.json
  v=$("$ISP" resolve --request req$n.json --config isp.json)
  echo "access $n at $time by $truth (line-${truth#lan}): $v" | head -1
  echo "RESULT access=$n truth=line-${truth#lan} $(echo "$v" | head -1 | sed 's/verdict: \([a-z]*\)\( -> \([a-z0-9-]*\)\)\?.*/verdict=\1 line=\3/') candidates=$("$ISP" resolve --request req$n.json --config isp.json --json | grep -o '"line": "[^"]*"' | cut -d'"' -f4 | sort -u | tr '\n' ',')"
done < provider.log
say "household 1's two accesses as one request"
first=$(sed -n 1p provider.log); third=$(sed -n 3p provider.log)
printf '{"requester":"demo","observations":[{"ip":"%s","time":"%s","timeAccuracyMs":1000,"dstIp":"203.0.113.10","dstPort":80,"proto":"tcp"},{"ip":"%s","time":"%s","timeAccuracyMs":1000,"dstIp":"203.0.113.10","dstPort":80,"proto":"tcp"}]}\n' \
  "$(echo $first | cut -d' ' -f2)" "$(echo $first | cut -d' ' -f1)" "$(echo $third | cut -d' ' -f2)" "$(echo $third | cut -d' ' -f1)" > both.json
v=$("$ISP" resolve --request both.json --config isp.json); echo "$v"
echo "RESULT access=1+3 truth=line-1 $(echo "$v" | head -1 | sed 's/verdict: \([a-z]*\)\( -> \([a-z0-9-]*\)\)\?.*/verdict=\1 line=\3/')"
say "a destination nobody contacted"
sed 's/"dstPort":80/"dstPort":81/' req1.json > none.json
v=$("$ISP" resolve --request none.json --config isp.json); echo "$v"
echo "RESULT access=none truth=none $(echo "$v" | head -1 | sed 's/verdict: \([a-z]*\)\( -> \([a-z0-9-]*\)\)\?.*/verdict=\1 line=\3/')"
say "a time no CE reported (a year before the demo): nobody can be ruled out"
sed 's/"time":"[^"]*"/"time":"2025-12-01T00:00:00Z"/' req1.json > unknown.json
v=$("$ISP" resolve --request unknown.json --config isp.json); echo "$v"
echo "RESULT access=unknown truth=unknown $(echo "$v" | head -1 | sed 's/verdict: \([a-z]*\)\( -> \([a-z0-9-]*\)\)\?.*/verdict=\1 line=\3/')"
say "audit log: $(wc -l < audit.jsonl) entries (who asked, what, what was answered); collector rejections: $(grep -c "collect: rejected " collector.log || true)"
if [ "${SERVE:-}" = 1 ]; then
  # The abuse desk's page over this world's store (docs/desk.md): plain HTTP, so loopback only.
  port=${DESK_PORT:-8080}
  echo "demo-desk-password" | "$ISP" user --users users.json --name demo --roles requester,auditor,administrator > /dev/null
  "$ISP" serve --config isp.json --listen 127.0.0.1:$port > desk.log 2>&1 & desk_pid=$!
  for _ in $(seq 50); do grep -q "ce-isp serve:" desk.log 2>/dev/null && break; sleep 0.2; done
  say "the abuse desk: http://127.0.0.1:$port/ (user demo, password demo-desk-password); paste a line of the provider's log above"
  echo "as CSV: ip,time,dst_ip,dst_port, e.g. $(awk 'NR==1{print $2","$1","$3","$4}' provider.log)"
  echo "the world stays up until interrupted (Ctrl-C)"
  wait "$desk_pid"
fi
