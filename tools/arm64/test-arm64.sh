#!/usr/bin/env bash
# make test-arm64: the arm64 NativeAOT agent as a CE on Debian's arm64 kernel in qemu-system-aarch64
# (TCG). The guest (tools/arm64/init) NATs LAN traffic over its port set and runs `ce-agent run`, which
# publishes to a TLS mosquitto on this host (broker.isp.test, through dnsmasq in the guest and user-mode
# networking), then restarts it as the .ipk's static binary in a root with no libc; here `ce-isp collect`
# verifies and stores what both signed and `ce-isp resolve` names that CE for each access.
# Writes "PASSED FAILED" to $1/arm64.count.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tools/pki.sh
results=${1:-build/test-results}; mkdir -p "$results"; results=$(cd "$results" && pwd) # the checks run in a work folder
pass=0 fail=0
check() { if eval "$2" >/dev/null 2>&1; then echo "arm64: ok   $1"; pass=$((pass+1)); else echo "arm64: FAIL $1"; fail=$((fail+1)); fi; }
finish() { echo "$pass $fail" > "$results/arm64.count"; echo "arm64: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit $?; }
for t in qemu-system-aarch64 qemu-aarch64 mosquitto openssl cpio; do
  command -v $t >/dev/null || { echo "arm64: FAIL $t missing (make deps)"; fail=$((fail+1)); finish; }
done
ISP=$PWD/build/bin/ce-isp AGENT=$PWD/build/bin/ce-agent
agent=build/aot/linux-arm64/publish/ce-agent
[ -x "$agent" ] || make --no-print-directory aot RID=linux-arm64 >build/arm64-aot.log 2>&1
static=build/aot/linux-arm64-static/publish/ce-agent # the .ipk's, run after the restart
[ -x "$static" ] || make --no-print-directory aot-static RID=linux-arm64 >build/arm64-aot-static.log 2>&1
# ARM64_STATIC=0: the dynamic agent throughout (make bench-arm64 ARM64_STATIC=0 measures the .deb's binary).
[ "${ARM64_STATIC:-1}" = 1 ] || static=""
make --no-print-directory ARCH=aarch64 build/native/aarch64/test_platform build/native/aarch64/ce-flowgen >/dev/null
vm=build/arm64/vm
check "the VM's kernel and root (tools/arm64/vm-root.sh)" "bash tools/arm64/vm-root.sh $agent $vm $static > build/arm64-root.log 2>&1"
[ -f $vm/root.cpio.gz ] || { cat build/arm64-root.log; finish; }

W=10 port=$((20000 + RANDOM % 20000))
work=$(mktemp -d /tmp/ce-arm64.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
pki_ca arm64-ca
# The guest reaches the broker as 10.0.2.100: guestfwd runs socat to this host's loopback for each
# connection (a tcp: target would be one connection for the VM's life, and the agent reconnects).
pki_issue server broker "subjectAltName=DNS:broker.isp.test,IP:127.0.0.1"
pki_issue collector collector "extendedKeyUsage=clientAuth"
pki_issue ce ce-a64 "extendedKeyUsage=clientAuth"
pki_acl
cat > mosquitto.conf <<CONF
per_listener_settings false
allow_anonymous false
persistence false
acl_file $work/acl
log_dest file $work/mosquitto.log
listener $port 127.0.0.1
cafile $work/ca.crt
certfile $work/server.crt
keyfile $work/server.key
require_certificate true
use_identity_as_username true
CONF
[ "$(id -u)" -eq 0 ] && sed -i '1i user root' mosquitto.conf
mosquitto -c mosquitto.conf & pids+=($!)
"$AGENT" key --public --key device.pem > ce.pub
key=$(sed ':a;N;$!ba;s/\n/\\n/g' ce.pub)
cat > isp.json <<JSON
{ "store": { "kind": "sqlite", "target": "$work/summaries.db" },
  "broker": { "host": "127.0.0.1", "port": $port, "caFile": "$work/ca.crt", "certFile": "$work/collector.crt", "keyFile": "$work/collector.key" },
  "devices": [ { "ceId": "ce-a64", "line": "line-arm64", "publicKeyPem": "$key" } ],
  "masterKeyFile": "$work/master.key",
  "auditLog": "$work/audit.jsonl" }
JSON
chmod 600 isp.json
"$ISP" key master --out "$work/master.key" > /dev/null
"$ISP" key derive --ce-id ce-a64 --epoch 1 --out "$work/ce-a64.filter-key" --config isp.json > /dev/null
sleep 1
"$ISP" collect --config isp.json > collector.log 2>&1 & pids+=($!)

# What this run gives the guest: a second cpio archive after the root (the kernel unpacks both).
mkdir -p cfg/cfg
mape="--rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 4 --prefix 2001:db8:12:3400::/56"
# ARM64_FLOWS (make bench-arm64): that many UDP flows through the NAT at the end, for the agent's RSS.
printf 'WINDOW=%s\nMAPE="%s"\nFLOWS=%s\n' $W "$mape" "${ARM64_FLOWS:-0}" > cfg/cfg/test.env
cp ca.crt ce.crt ce.key device.pem cfg/cfg/; chmod 600 cfg/cfg/*.key cfg/cfg/device.pem
cat > cfg/cfg/agent.json <<JSON
{ "ceId": "ce-a64",
  "mape": { "rule6": "2001:db8::/40", "rule4": "192.0.2.0/24", "eaLength": 16, "psidOffset": 4, "prefix": "2001:db8:12:3400::/56" },
  "windowSeconds": $W, "batchWindows": 1, "closeDelaySeconds": 1,
  "spool": { "dir": "/var/lib/ce-agent/spool", "maxBytes": 1048576 },
  "broker": { "host": "broker.isp.test", "port": 8883, "caFile": "/cfg/ca.crt", "certFile": "/cfg/ce.crt", "keyFile": "/cfg/ce.key" },
  "filterKey": "$(cat "$work/ce-a64.filter-key")", "filterKeyEpoch": 1,
  "keyFile": "/cfg/device.pem", "ntpSignal": "/tmp/ntp-signal" }
JSON
chmod 600 cfg/cfg/agent.json
(cd cfg && find . | cpio -o -H newc --quiet | gzip -1) > cfg.cpio.gz
cat "$OLDPWD/$vm/root.cpio.gz" cfg.cpio.gz > initrd.gz
start=$(date +%s)
timeout 900 qemu-system-aarch64 -M virt -cpu cortex-a53 -smp 2 -m 512 -nographic -no-reboot \
  -kernel "$OLDPWD/$vm/vmlinuz" -initrd initrd.gz -append "console=ttyAMA0 panic=-1 quiet" \
  -netdev user,id=n0,restrict=on,"guestfwd=tcp:10.0.2.100:8883-cmd:socat STDIO TCP:127.0.0.1:$port" -device virtio-net-pci,netdev=n0,romfile= \
  < /dev/null > console.log 2>&1
rc=$?
echo "arm64: the VM ran $(( $(date +%s) - start )) s (exit $rc)"
grep '^VM ' console.log | tr -d '\r'
check "the VM booted the arm64 kernel and finished its script" "grep -q '^VM done' console.log"
while read -r line; do check "in the VM: ${line#VM ok   }" true; done < <(grep -a '^VM ok   ' console.log | tr -d '\r')
while read -r line; do check "in the VM: ${line#VM FAIL }" false; done < <(grep -a '^VM FAIL ' console.log | tr -d '\r')
check "the kernel is arm64" "grep -a '^VM kernel' console.log | grep -q aarch64"
sleep 2
stored=$(sqlite3 summaries.db "select count(*) from messages" 2>/dev/null || echo 0)
check "ce-isp collect verified and stored the arm64 agent's signed messages ($stored stored, $(grep -c rejected collector.log) rejected)" \
  "[ ${stored:-0} -ge 2 ] && ! grep -q rejected collector.log"
n=0
while read -r _ _ which time; do
  n=$((n + 1))
  printf '{"requester":"arm64-test","reference":"access %s","observations":[{"ip":"192.0.2.18","time":"%s","timeAccuracyMs":1000,"dstIp":"203.0.113.10","dstPort":80,"proto":"tcp"}]}\n' \
    "$which" "$time" > req$n.json
  v=$("$ISP" resolve --request req$n.json --config isp.json 2>&1 | head -1)
  echo "arm64: access $which at $time: $v"
  by=""; [ "$which" = 2 ] && grep -aq '^VM ok   the restarted agent is the static binary' console.log && by=" (seen only by the static agent)"
  check "ce-isp resolve names the arm64 CE for access $which$by" "echo '$v' | grep -q 'line-arm64'"
done < <(grep -a '^VM ACCESS ' console.log | tr -d '\r')
check "two accesses made (before and after the restart)" "[ $n -eq 2 ]"
[ $fail -eq 0 ] || { echo "arm64: console tail:"; tail -40 console.log; echo "arm64: collector:"; tail -20 collector.log; }
finish
