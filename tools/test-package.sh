#!/usr/bin/env bash
# The device packages, tested: the .deb installs (with its dependencies, through apt) into a minimal
# Debian root made by debootstrap and the agent runs there; the systemd unit passes systemd-analyze
# verify; the .ipk has OpenWrt's structure and control fields, and its init script turns UCI into a
# configuration the agent accepts. Writes "PASSED FAILED" to $1/package.count.
set -uo pipefail
cd "$(dirname "$0")/.."
results=${1:-build/test-results}; mkdir -p "$results"
pass=0 fail=0
check() { if eval "$2" >/dev/null 2>&1; then echo "package: ok   $1"; pass=$((pass+1)); else echo "package: FAIL $1"; fail=$((fail+1)); fi; }
finish() { echo "$pass $fail" > "$results/package.count"; [ $fail -eq 0 ]; exit $?; }
bin=build/aot/linux-x64/publish/ce-agent
[ -x $bin ] || make --no-print-directory aot RID=linux-x64 >/dev/null 2>&1
out=build/pkg; rm -rf $out
deb=$(bash tools/package.sh deb amd64 $bin $out) && ipk=$(bash tools/package.sh ipk x86_64 $bin $out)
check "build the .deb and the .ipk" "[ -f '$deb' ] && [ -f '$ipk' ]"

unit=$(mktemp -d); sed "s#/usr/bin/ce-agent#$PWD/$bin#" rootfs/systemd/ce-agent.service > $unit/ce-agent.service
check "systemd-analyze verify ce-agent.service" "[ -z \"\$(systemd-analyze verify $unit/ce-agent.service 2>&1)\" ]"
check "the unit is Type=notify with a watchdog and only CAP_NET_ADMIN" \
  "grep -q '^Type=notify' $unit/ce-agent.service && grep -q '^WatchdogSec=' $unit/ce-agent.service && grep -q '^CapabilityBoundingSet=CAP_NET_ADMIN$' $unit/ce-agent.service && grep -q '^ProtectSystem=strict' $unit/ce-agent.service"

# .ipk: OpenWrt's ipkg-build layout and fields.
x=$(mktemp -d); tar -C $x -xzf "$ipk"; mkdir $x/c $x/d; tar -C $x/c -xzf $x/control.tar.gz; tar -C $x/d -xzf $x/data.tar.gz
check "ipk holds debian-binary, data.tar.gz, control.tar.gz" "[ \"\$(tar tzf $ipk | sort | tr '\n' ' ')\" = './control.tar.gz ./data.tar.gz ./debian-binary ' ] && [ \"\$(cat $x/debian-binary)\" = 2.0 ]"
for f in Package Version Depends Architecture Maintainer Description Installed-Size; do
  check "ipk control field $f" "grep -q '^$f: .' $x/c/control"
done
check "ipk conffiles keep /etc/config/ce-agent" "grep -qx /etc/config/ce-agent $x/c/conffiles"
check "ipk postinst enables and starts, prerm stops" "grep -q 'enable' $x/c/postinst && grep -q 'start' $x/c/postinst && grep -q 'stop' $x/c/prerm"
check "ipk data: agent, init script, hotplug script, sysctl" "[ -x $x/d/usr/bin/ce-agent ] && [ -x $x/d/etc/init.d/ce-agent ] && [ -x $x/d/etc/hotplug.d/ntp/50-ce-agent ] && [ -f $x/d/etc/sysctl.d/60-ce-agent.conf ]"
# The init script's UCI -> JSON, with tools/stubs/uci standing in for uci, reading the shipped /etc/config/ce-agent.
check "UCI config becomes a configuration the agent accepts" \
  "PATH=$PWD/tools/stubs:\$PATH UCI_STUB_DIR=$x/d/etc/config sh -c '. $PWD/tools/rc-common-stub.sh; . $x/d/etc/init.d/ce-agent; CONF=$x/agent.json; write_config' && $bin run --check --config $x/agent.json"
check "the runtime configuration (it holds the filter key) is 0600" "[ \"\$(stat -c %a $x/agent.json)\" = 600 ]"

# arm64: the .ipk for OpenWrt's aarch64 with the static agent (make aot-static), the .deb with the dynamic one.
a64=build/aot/linux-arm64/publish/ce-agent s64=build/aot/linux-arm64-static/publish/ce-agent
[ -x $a64 ] || make --no-print-directory aot RID=linux-arm64 >/dev/null 2>&1
[ -x $s64 ] || make --no-print-directory aot-static RID=linux-arm64 >build/aot-static.log 2>&1
ipk64=$(bash tools/package.sh ipk aarch64_cortex-a53 $s64 $out 2>/dev/null); deb64=$(bash tools/package.sh deb arm64 $a64 $out 2>/dev/null)
y=$(mktemp -d); tar -C $y -xzf "$ipk64" 2>/dev/null; mkdir $y/c $y/d; tar -C $y/c -xzf $y/control.tar.gz 2>/dev/null; tar -C $y/d -xzf $y/data.tar.gz 2>/dev/null
check "ipk for aarch64_cortex-a53 carries the static arm64 agent and says so" \
  "grep -qx 'Architecture: aarch64_cortex-a53' $y/c/control && file -b $y/d/usr/bin/ce-agent | grep -q 'ARM aarch64.*static-pie linked' && grep -q 'built static, no libc needed' $y/c/control"
check "the static agent has no interpreter and needs no shared library" \
  "! readelf -lW $y/d/usr/bin/ce-agent | grep -q INTERP && ! readelf -dW $y/d/usr/bin/ce-agent | grep -q NEEDED"
check "ipk for the static agent depends on no library, only on ctnetlink" "grep -qx 'Depends: kmod-nf-conntrack-netlink' $y/c/control"
[ -x $s64 ] && echo "package: static arm64 agent $(stat -c %s $s64) bytes stripped, dynamic $(stat -c %s $a64) bytes"
check "deb for arm64 carries the dynamic arm64 agent" "[ \"\$(dpkg-deb -f $deb64 Architecture)\" = arm64 ] && dpkg-deb --fsys-tarfile $deb64 | tar -xO ./usr/bin/ce-agent | file - | grep -q 'ARM aarch64.*dynamically linked'"
# The .ipk's own binary in a root that holds nothing else (no libc, no ld.so, no libnss), through the
# aarch64 binfmt handler: every command that needs no netlink (qemu-user has no NETLINK_NETFILTER).
if [ "$(id -u)" -eq 0 ] && [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  e=$(mktemp -d); mkdir -p $e/bin $e/tmp; cp $y/d/usr/bin/ce-agent $e/bin/
  mape="--rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 4 --prefix 2001:db8:12:3400::/56"
  check "static agent in an empty root: --version" "timeout 120 chroot $e /bin/ce-agent --version | grep -q '^ce-agent '"
  check "static agent in an empty root: mape equals the x64 agent's" "timeout 120 chroot $e /bin/ce-agent mape $mape --json | cmp -s - <($bin mape $mape --json)"
  check "static agent in an empty root: key generation (OpenSSL linked in), then the same key loaded" \
    "timeout 120 chroot $e /bin/ce-agent key --public --key /tmp/k.pem > $e/k1 && timeout 120 chroot $e /bin/ce-agent key --public --key /tmp/k.pem | cmp -s - $e/k1 && grep -q 'BEGIN PUBLIC KEY' $e/k1"
  check "static agent in an empty root: the root held only the agent" "[ \"\$(cd $e && find . -type f ! -path './tmp/*' ! -name k1)\" = ./bin/ce-agent ]"
  rm -rf $e
else
  echo "SKIP: static agent in an empty root needs root and the aarch64 binfmt handler (make deps)"
fi

# The musl question (docs/device-build.md): static glibc resolves DNS with no glibc in the root.
if [ "$(id -u)" -eq 0 ] && [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && command -v dnsmasq >/dev/null; then
  check "a static glibc aarch64 program resolves a DNS name (dnsmasq) in a root with no libc" "bash tools/arm64/static-dns.sh"
else
  echo "SKIP: static DNS probe needs root, the aarch64 binfmt handler and dnsmasq (make deps)"
fi

# .deb: a real install into a minimal Debian root.
if [ "$(id -u)" -ne 0 ] || ! command -v debootstrap >/dev/null; then
  echo "SKIP: .deb install test needs root and debootstrap (make deps)"; finish
fi
# install_in ARCH DEB: debootstrap a Debian root of that architecture once (cached under build/), then
# install the package with apt in a fresh copy and run the agent there (arm64 through qemu-user-static's
# binfmt handler).
roots=()
trap 'for m in "${roots[@]}"; do umount $m/proc 2>/dev/null; done' EXIT
install_in() {
  local arch=$1 deb=$2 base=build/debootstrap-bookworm r=build/deb-root tag=""
  [ "$arch" = amd64 ] || { base+=-$arch; r+=-$arch; tag=" ($arch)"; }
  if [ ! -x $base/bin/sh ]; then
    rm -rf $base; debootstrap --arch=$arch --variant=minbase bookworm $base http://deb.debian.org/debian >build/debootstrap-$arch.log 2>&1 \
      || { echo "SKIP: debootstrap$tag could not reach a Debian mirror (build/debootstrap-$arch.log)"; return; }
  fi
  # A run killed before its trap leaves proc mounted there: unmount it, and never let rm cross a mount.
  umount $r/proc 2>/dev/null || true
  rm -rf --one-file-system $r; cp -a $base $r
  cp /etc/resolv.conf $r/etc/resolv.conf; cp "$deb" $r/tmp/
  mount -t proc proc $r/proc; roots+=($r)
  check "apt installs the .deb and its dependencies in a fresh Debian root$tag" "chroot $r sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename $deb)'"
  check "dpkg knows it installed$tag" "chroot $r dpkg -s ce-agent | grep -q 'Status: install ok installed'"
  check "the installed agent runs$tag" "chroot $r ce-agent --version && chroot $r ce-agent mape --rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 4 --prefix 2001:db8:12:3400::/56 --json"
  check "unit, sysctl and example configuration are in place$tag" "[ -f $r/lib/systemd/system/ce-agent.service ] && [ -f $r/usr/lib/sysctl.d/60-ce-agent.conf ] && [ -f $r/etc/ce-agent/agent.json.example ]"
  check "the example configuration is valid$tag" "chroot $r ce-agent run --check --config /etc/ce-agent/agent.json.example"
  local u; u=$(mktemp -d); sed "s#/usr/bin/ce-agent#$PWD/$r/usr/bin/ce-agent#" $r/lib/systemd/system/ce-agent.service > $u/ce-agent.service
  check "systemd-analyze verify on the installed unit$tag" "[ -z \"\$(systemd-analyze verify $u/ce-agent.service 2>&1)\" ]"
  check "apt removes it cleanly$tag" "chroot $r apt-get remove -y -qq ce-agent && [ ! -e $r/usr/bin/ce-agent ]"
}
install_in amd64 "$deb"
if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  install_in arm64 "$deb64"
else
  echo "SKIP: arm64 .deb install: no binfmt handler for aarch64 (make deps: qemu-user-static, binfmt-support)"
fi
finish
