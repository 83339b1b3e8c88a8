#!/usr/bin/env bash
# `make install` and `make install-openwrt`, tested: into a temporary DESTDIR, each file where the packages
# put it with its mode, the unit and init script naming the binary where PREFIX put it, the installed agent
# running and accepting the example configuration, the .deb and .ipk carrying exactly that tree (they are
# built from these targets), and the one version everywhere. Writes "PASSED FAILED" to $1/install.count.
set -uo pipefail
cd "$(dirname "$0")/.."
results=${1:-build/test-results}; mkdir -p "$results"
pass=0 fail=0
check() { if eval "$2" >/dev/null 2>&1; then echo "install: ok   $1"; pass=$((pass+1)); else echo "install: FAIL $1"; fail=$((fail+1)); fi; }
bin=build/aot/linux-x64/publish/ce-agent
[ -x $bin ] || make --no-print-directory aot RID=linux-x64 >/dev/null 2>&1
version=$(cat VERSION)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# The tree under a DESTDIR: "mode path" per file, sorted.
tree() { (cd "$1" && find . -type f -printf '%m %p\n' | sort); }

d=$tmp/usr; check "make install DESTDIR PREFIX=/usr" "make --no-print-directory install DESTDIR=$d PREFIX=/usr INSTALL_BIN=$bin"
cat > $tmp/deb.expected <<TREE
644 ./etc/ce-agent/agent.json.example
644 ./lib/systemd/system/ce-agent.service
644 ./usr/lib/sysctl.d/60-ce-agent.conf
644 ./usr/share/doc/ce-agent/README.md
755 ./usr/bin/ce-agent
TREE
check "the files and modes of the .deb layout" "diff <(sort $tmp/deb.expected) <(tree $d)"
check "the unit starts /usr/bin/ce-agent" "grep -qx 'ExecStart=/usr/bin/ce-agent run --config /etc/ce-agent/agent.json' $d/lib/systemd/system/ce-agent.service"
check "the installed agent says the version in VERSION ($version)" "[ \"\$($d/usr/bin/ce-agent --version)\" = 'ce-agent $version' ]"
check "the installed example configuration is valid" "$d/usr/bin/ce-agent run --check --config $d/etc/ce-agent/agent.json.example"

l=$tmp/local; check "make install PREFIX=/usr/local" "make --no-print-directory install DESTDIR=$l PREFIX=/usr/local INSTALL_BIN=$bin"
check "PREFIX=/usr/local: the binary, and the unit (under /etc) starting it there" \
  "[ -x $l/usr/local/bin/ce-agent ] && grep -qx 'ExecStart=/usr/local/bin/ce-agent run --config /etc/ce-agent/agent.json' $l/etc/systemd/system/ce-agent.service"

o=$tmp/openwrt; check "make install-openwrt" "make --no-print-directory install-openwrt DESTDIR=$o PREFIX=/usr INSTALL_BIN=$bin"
cat > $tmp/ipk.expected <<TREE
600 ./etc/config/ce-agent
644 ./etc/sysctl.d/60-ce-agent.conf
755 ./etc/hotplug.d/ntp/50-ce-agent
755 ./etc/init.d/ce-agent
755 ./usr/bin/ce-agent
TREE
check "the files and modes of the .ipk layout (the UCI file holds the filter key: 0600)" "diff <(sort $tmp/ipk.expected) <(tree $o)"

# The packages carry what the targets install, and the version in VERSION.
out=$tmp/pkg
deb=$(bash tools/package.sh deb amd64 $bin $out 2>/dev/null); ipk=$(bash tools/package.sh ipk x86_64 $bin $out 2>/dev/null)
check "the .deb carries exactly make install's files and modes" \
  "diff <(dpkg-deb -c $deb | awk '\$1 !~ /^d/ { print \$1, \$6 }' | sed 's/^-rwxr-xr-x/755/; s/^-rw-r--r--/644/; s/^-rw-------/600/' | sort) <(tree $d)"
mkdir $tmp/ipk $tmp/ipk/data; tar -C $tmp/ipk -xzf "$ipk" 2>/dev/null; tar -C $tmp/ipk/data -xzf $tmp/ipk/data.tar.gz 2>/dev/null
check "the .ipk carries exactly make install-openwrt's files and modes" "diff <(tree $tmp/ipk/data) <(tree $o)"
check "the .deb and the .ipk are version $version" \
  "[ \"\$(dpkg-deb -f $deb Version)\" = $version ] && tar -xzOf $tmp/ipk/control.tar.gz ./control | grep -qx 'Version: $version'"
check "libceagent says version $version" "grep -qa 'libceagent $version' build/native/x86_64/libceagent.so"
echo "$pass $fail" > "$results/install.count"
[ $fail -eq 0 ]
