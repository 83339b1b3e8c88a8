#!/usr/bin/env bash
# The musl question's evidence (docs/device-build.md): a static glibc aarch64 program resolves a broker's
# DNS name through a real DNS server (dnsmasq, in a namespace of its own) from a root that holds only the
# program and /etc/resolv.conf: no libc, no libnss_*, no nsswitch.conf. Runs through the aarch64 binfmt
# handler. Prints the answer; exits non-zero when it does not resolve.
set -euo pipefail
bin=$(mktemp -d)/ce-resolve
aarch64-linux-gnu-gcc -static -O2 -w tests/native/resolve.c -o "$bin"
root=$(mktemp -d) ns=ce-dns$$
mkdir -p "$root/etc" "$root/bin"; cp "$bin" "$root/bin/ce-resolve"; echo "nameserver 127.0.0.1" > "$root/etc/resolv.conf"
ip netns add $ns; ip -n $ns link set lo up
trap 'kill $dns 2>/dev/null; ip netns del $ns; rm -rf "$root" "$(dirname "$bin")"' EXIT
ip netns exec $ns dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=127.0.0.1 --bind-interfaces \
  --address=/broker.isp.test/198.51.100.10 --pid-file= > /dev/null 2>&1 & dns=$!
sleep 1
echo "static-dns: the root holds: $(cd "$root" && find . -type f | tr '\n' ' ')"
ip netns exec $ns chroot "$root" /bin/ce-resolve broker.isp.test | tee /dev/stderr | grep -qx 'broker.isp.test -> 198.51.100.10'
