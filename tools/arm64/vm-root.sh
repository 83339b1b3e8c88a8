#!/usr/bin/env bash
# Builds the arm64 test VM's initramfs: busybox, the Debian arm64 packages in tools/arm64/root-packages,
# the kernel modules the CE needs (and their dependencies), the arm64 NativeAOT agent and the guest's
# init (tools/arm64/init). Debian packages and the kernel are fetched once into build/arm64/debs.
#   vm-root.sh AGENT_BINARY OUT_DIR [STATIC_AGENT]   writes OUT_DIR/vmlinuz and OUT_DIR/root.cpio.gz
# STATIC_AGENT (the .ipk's binary, make aot-static) goes alone into /ce, a root inside the root with no libc,
# no ld.so and no libnss: the guest runs it there (chroot) as OpenWrt's musl system would.
set -euo pipefail
agent=${1:?arm64 ce-agent}; out=${2:?output directory}; static=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
debs=build/arm64/debs kernel=build/arm64/kernel root=$out/root
mkdir -p "$debs" "$out"
# The kernel package of the day: linux-image-arm64 is a metapackage naming it.
meta=$(apt-cache depends linux-image-arm64:arm64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$meta" ] || { echo "vm-root: no linux-image-arm64:arm64 in apt's lists (make deps-aarch64)" >&2; exit 1; }
pkgs=("${meta%:arm64}" $(grep -v '^#' "$here/root-packages"))
for p in "${pkgs[@]}"; do
  ls "$debs/${p}_"*_arm64.deb >/dev/null 2>&1 || (cd "$debs" && apt-get download "$p:arm64" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  ls "$debs/${p}_"*_arm64.deb >/dev/null 2>&1 || { echo "vm-root: could not fetch $p:arm64" >&2; exit 1; }
done
if [ ! -f "$kernel/.done-${meta%:arm64}" ]; then
  rm -rf "$kernel"; mkdir -p "$kernel"; dpkg -x "$debs/${meta%:arm64}_"*_arm64.deb "$kernel"; touch "$kernel/.done-${meta%:arm64}"
fi
cp "$kernel"/boot/vmlinuz-* "$out/vmlinuz"
rm -rf "$root"; mkdir -p "$root"/{etc,proc,sys,dev,tmp,run,var/run,root,mnt}
for p in "${pkgs[@]:1}"; do dpkg -x "$debs/${p}_"*_arm64.deb "$root"; done
# Debian's merged /usr: the packages put files in /lib and /bin as well as /usr/lib and /usr/bin.
for d in bin sbin lib; do [ -e "$root/$d" ] || ln -s "usr/$d" "$root/$d"; done
mkdir -p "$root/usr/bin"
for a in $(qemu-aarch64 "$root/bin/busybox" --list); do for d in usr/bin usr/sbin bin sbin; do [ -e "$root/$d/$a" ] && continue 2; done; ln -s /bin/busybox "$root/usr/bin/$a"; done
python3 "$here/modules.py" "$kernel" "$root" crc32c_generic virtio_net virtio_pci veth nf_conntrack_netlink \
  nft_nat nft_chain_nat nft_ct nft_numgen
install -m 0755 "$agent" "$root/usr/bin/ce-agent"
[ -z "$static" ] || install -D -m 0755 "$static" "$root/ce/ce-agent"
# libceagent's platform test (tests/native/test_platform.c), on the real arm64 kernel this time
install -m 0755 build/native/aarch64/test_platform "$root/usr/bin/ce-test-platform"
install -m 0755 build/native/aarch64/ce-flowgen "$root/usr/bin/ce-flowgen"  # flows for the footprint
install -m 0755 "$here/init" "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/root.cpio.gz"
echo "vm-root: $out/root.cpio.gz $(du -h "$out/root.cpio.gz" | cut -f1), agent $(stat -c %s "$agent") bytes"
