#!/usr/bin/env bash
# Builds the device packages from rootfs/ and a NativeAOT ce-agent binary.
#   package.sh deb ARCH BINARY OUTDIR   Debian / Raspberry Pi OS (ARCH: amd64, arm64, armhf)
#   package.sh ipk ARCH BINARY OUTDIR   OpenWrt (ARCH: an opkg architecture, e.g. aarch64_cortex-a53, x86_64)
set -euo pipefail
kind=${1:?deb or ipk}; arch=${2:?architecture}; bin=${3:?ce-agent binary}; out=${4:?output directory}
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$root/VERSION")
[ -x "$bin" ] || { echo "package: $bin is not an executable ce-agent (make aot RID=...)" >&2; exit 1; }
bin=$(realpath "$bin")
# Which binary the package carries, in its description: OpenWrt is musl, so a glibc build runs there only
# when it is static (docs/device-build.md); the dependencies follow from it.
binary=$(file -b "$bin" | grep -o 'ARM aarch64\|x86-64\|ARM, EABI5' | head -1)
if file -b "$bin" | grep -q 'static-pie linked\|statically linked'; then
  built="static, no libc needed: glibc and OpenSSL linked in ($binary)"; libs=""
else
  built="for glibc ($binary, dynamically linked)"; libs="libc, libopenssl3, libgpiod, "
fi
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
# The files and their layout: mk/install.mk's targets (make's output to stderr: stdout names the package).
layout() { ${MAKE:-make} -s -C "$root" --no-print-directory "$1" DESTDIR="$stage/data" PREFIX=/usr INSTALL_BIN="$bin" >&2; }
desc="MAP-E CE attribution agent: records which public ports and destinations the router's NAT used, per
 window, and publishes compact signed summaries over MQTT, so an ISP can answer disclosure requests
 without central per-session NAT logs.
 .
 Carries the NativeAOT agent built $built; docs/device-build.md."
case $kind in
deb)
  d=$stage/data; layout install
  mkdir -p "$d/DEBIAN"
  cat > "$d/DEBIAN/control" <<CTRL
Package: ce-agent
Version: $version
Architecture: $arch
Maintainer: ce-agent developers <ce-agent@example.org>
Depends: libc6, libssl3, libgpiod2 | libgpiod3
Section: net
Priority: optional
Description: $desc
CTRL
  cat > "$d/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
# Conntrack timestamps and events now; the service starts once /etc/ce-agent/agent.json exists.
sysctl -q -p /usr/lib/sysctl.d/60-ce-agent.conf 2>/dev/null || true
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable ce-agent.service >/dev/null 2>&1 || true
  [ -f /etc/ce-agent/agent.json ] && systemctl restart ce-agent.service || true
fi
exit 0
SH
  cat > "$d/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl stop ce-agent.service || true; fi
[ "$1" = remove ] && [ -d /run/systemd/system ] && systemctl disable ce-agent.service >/dev/null 2>&1 || true
exit 0
SH
  chmod 0755 "$d/DEBIAN/postinst" "$d/DEBIAN/prerm"
  dpkg-deb --root-owner-group --build "$d" "$out/ce-agent_${version}_${arch}.deb" >/dev/null
  echo "$out/ce-agent_${version}_${arch}.deb" ;;
ipk)
  d=$stage/data; layout install-openwrt
  c=$stage/control; mkdir -p "$c"
  cat > "$c/control" <<CTRL
Package: ce-agent
Version: $version
Depends: ${libs}kmod-nf-conntrack-netlink
Source: https://example.org/ce-agent
License: MIT
Section: net
Architecture: $arch
Installed-Size: $(du -sk "$d" | cut -f1)
Maintainer: ce-agent developers <ce-agent@example.org>
Description: $desc
CTRL
  echo /etc/config/ce-agent > "$c/conffiles"
  printf '#!/bin/sh\n[ -n "$IPKG_INSTROOT" ] || { /etc/init.d/ce-agent enable; /etc/init.d/ce-agent start; }\nexit 0\n' > "$c/postinst"
  printf '#!/bin/sh\n[ -n "$IPKG_INSTROOT" ] || { /etc/init.d/ce-agent stop; /etc/init.d/ce-agent disable; }\nexit 0\n' > "$c/prerm"
  chmod 0755 "$c/postinst" "$c/prerm"
  echo 2.0 > "$stage/debian-binary"
  tar -C "$d" --owner=0 --group=0 -czf "$stage/data.tar.gz" .
  tar -C "$c" --owner=0 --group=0 -czf "$stage/control.tar.gz" .
  tar -C "$stage" --owner=0 --group=0 -czf "$out/ce-agent_${version}_${arch}.ipk" ./debian-binary ./data.tar.gz ./control.tar.gz
  echo "$out/ce-agent_${version}_${arch}.ipk" ;;
*) echo "usage: $0 deb|ipk ARCH BINARY OUTDIR" >&2; exit 2 ;;
esac
