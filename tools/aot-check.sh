#!/usr/bin/env bash
# Publishes ce-agent NativeAOT (linux-x64, net9.0), then checks: zero trim/AOT warnings, the binary runs
# (--version and a MAP-E calculation), and reports its size. Writes aot-check.count for the CI total.
set -uo pipefail
dotnet=$1 out=$2 results=$3; shift 3
log=$out/publish.log
pass=0 fail=0
check() { if eval "$2"; then echo "aot-check: ok   $1"; pass=$((pass+1)); else echo "aot-check: FAIL $1"; fail=$((fail+1)); fi; }
rm -rf "$out/bin"
"$dotnet" publish agent/CeAgent/CeAgent.csproj -c Release -r linux-x64 -p:CeTfm=net9.0 -o "$out/bin" -nologo >"$log" 2>&1
rc=$?
check "publish NativeAOT linux-x64 net9.0 (log: $log)" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || tail -20 "$log"
warnings=$(grep -cE 'warning (IL|CS)[0-9]+' "$log")
check "zero trim/AOT warnings (saw $warnings)" "[ $warnings -eq 0 ]"
bin=$out/bin/ce-agent
check "binary --version" "[ -x $bin ] && $bin --version"
check "binary mape calculation" "[ -x $bin ] && $bin mape $* --json"
# libceagent is linked in statically (DirectPInvoke): a table dump proves the native call works.
if [ "$(id -u)" -eq 0 ]; then
  check "binary flows --dump (libceagent linked statically, not loaded)" "[ -x $bin ] && $bin flows --dump >/dev/null && ! ldd $bin | grep -q libceagent"
else
  echo "aot-check: SKIP flows --dump: needs root (conntrack netlink)"
fi
[ -x "$bin" ] && echo "aot-check: size of $bin: $(stat -c %s "$bin") bytes ($(du -h "$bin" | cut -f1))"
echo "$pass $fail 0" > "$results/aot-check.count"
[ $fail -eq 0 ]
