#!/usr/bin/env bash
# Publishes ce-agent NativeAOT on net10.0 for linux-x64 and linux-arm64, then checks each: zero trim/AOT
# warnings, only the binary in the publish folder, the right ELF machine, and every command that needs no
# netlink runs: the x64 binary natively, the arm64 one under qemu-user. The arm64 results must equal the
# x64 ones byte for byte (MAP-E, the test key's public key) or field for field (the kernel's NTP state).
# Writes aot-check.count for the CI total.
set -uo pipefail
dotnet=$1 results=$2; shift 2
mape=("$@")
pass=0 fail=0
check() { if eval "$2"; then echo "aot-check: ok   $1"; pass=$((pass+1)); else echo "aot-check: FAIL $1"; fail=$((fail+1)); fi; }
vectors=docs/summary-vectors.json
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); open(sys.argv[2],"w").write(d["privateKeyPem"]+"\n"); print(d["publicKeyPem"])' \
  "$vectors" "$tmp/test-key.pem" > "$tmp/test-pub.pem"
chmod 600 "$tmp/test-key.pem"
# qemu-user with -L hangs .NET in pthread_create (the cross ld.so and the multiarch libc differ), and so
# does -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib here: plain, the binary's interpreter and libraries
# come from the multiarch arm64 packages. Every run has a time limit, so a hang is a failure.
declare -A runner=([linux-x64]="timeout 120" [linux-arm64]="timeout 120 qemu-aarch64")
declare -A machine=([linux-x64]="x86-64" [linux-arm64]="ARM aarch64")
for rid in linux-x64 linux-arm64; do
  out=build/aot/$rid/publish log=build/aot/$rid/publish.log
  mkdir -p "build/aot/$rid"; rm -rf "$out"
  "$dotnet" publish agent/CeAgent/CeAgent.csproj -c Release -r "$rid" -o "$out" -nologo >"$log" 2>&1
  rc=$?
  check "$rid: publish NativeAOT net10.0 (log: $log)" "[ $rc -eq 0 ]"
  [ $rc -eq 0 ] || tail -20 "$log"
  warnings=$(grep -cE 'warning (IL|CS)[0-9]+' "$log")
  check "$rid: zero trim/AOT warnings (saw $warnings)" "[ $warnings -eq 0 ]"
  bin=$out/ce-agent run="${runner[$rid]} $bin"
  extra=$(cd "$out" 2>/dev/null && ls | grep -vxE 'ce-agent|ce-agent\.dbg' | tr '\n' ' ')
  check "$rid: publish folder holds only the binary (extra: ${extra:-none})" "[ -x $bin ] && [ -z '$extra' ]"
  check "$rid: ELF machine ${machine[$rid]}" "file -b $bin | grep -q '${machine[$rid]}'"
  check "$rid: --version" "$run --version >/dev/null"
  check "$rid: mape --json" "$run mape ${mape[*]} --json > $tmp/$rid.mape.json"
  check "$rid: mape --nft" "$run mape ${mape[*]} --nft > $tmp/$rid.mape.nft"
  rm -f "$tmp/new-key.pem"
  check "$rid: key generation, then the same key loaded" \
    "$run key --public --key $tmp/new-key.pem > $tmp/$rid.k1 && $run key --public --key $tmp/new-key.pem > $tmp/$rid.k2 && cmp -s $tmp/$rid.k1 $tmp/$rid.k2 && grep -q 'BEGIN PUBLIC KEY' $tmp/$rid.k1"
  check "$rid: the published test key's public key" "$run key --public --key $tmp/test-key.pem | cmp -s - $tmp/test-pub.pem"
  check "$rid: clock --json (adjtimex, clocks, timerfd-free read)" "$run clock --json --dev $tmp/nodev --signal $tmp/nosignal > $tmp/$rid.clock.json"
  [ -x "$bin" ] && echo "aot-check: size of $bin: $(stat -c %s "$bin") bytes ($(du -h "$bin" | cut -f1))"
done
check "linux-arm64 MAP-E equals linux-x64 (json and nft)" "cmp $tmp/linux-x64.mape.json $tmp/linux-arm64.mape.json && cmp $tmp/linux-x64.mape.nft $tmp/linux-arm64.mape.nft"
check "linux-arm64 reads the same kernel NTP state as linux-x64 (struct timex on both ABIs)" \
  "python3 -c 'import json,sys; k=[json.load(open(f))[\"kernel\"] for f in sys.argv[1:]]; [x.pop(\"maxErrorUs\") for x in k]; sys.exit(k[0]!=k[1])' $tmp/linux-x64.clock.json $tmp/linux-arm64.clock.json"
# libceagent is linked in statically (DirectPInvoke): a table dump proves the native call works.
x64=build/aot/linux-x64/publish/ce-agent
if [ "$(id -u)" -eq 0 ]; then
  check "linux-x64: flows --dump (libceagent linked statically, not loaded)" "[ -x $x64 ] && $x64 flows --dump >/dev/null && ! ldd $x64 | grep -q libceagent"
else
  echo "aot-check: SKIP flows --dump: needs root (conntrack netlink)"
fi
# The O_DIRECTORY class of bug: a kernel number written by hand in C# is right on one architecture only.
# Platform values come from libceagent (ceplatform.h).
hand=$(grep -nE '^[^/]*\b0x[0-9A-Fa-f]+' agent/CeAgent.Interop/*.cs)
check "no hex platform constant written in agent/CeAgent.Interop (${hand:-none})" "[ -z \"\$hand\" ]"
# One interop layer: native imports and errno stay in agent/CeAgent.Interop (unsafe code: the compiler).
above=$(grep -rnE 'LibraryImport|DllImport|GetLastPInvokeError|GetLastWin32Error' agent --include='*.cs' | grep -v '^agent/CeAgent.Interop/')
check "no native import or errno above agent/CeAgent.Interop (${above:-none})" "[ -z \"\$above\" ]"
echo "$pass $fail 0" > "$results/aot-check.count"
[ $fail -eq 0 ]
