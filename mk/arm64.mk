# make test-arm64: the arm64 NativeAOT agent as a CE on Debian's arm64 kernel in qemu-system-aarch64, end
# to end into summaries that the host's collector verifies and the resolver attributes
# (tools/arm64/test-arm64.sh). The kernel and the root's packages are fetched once into build/arm64/.
DEPS_APT += qemu-system-arm cpio mosquitto openssl sqlite3 socat
.PHONY: test-arm64
TEST_TARGETS += test-arm64
test-arm64: build
	@bash tools/arm64/test-arm64.sh $(RESULTS)

# The arm64 .deb is installed into an arm64 Debian root (tools/test-package.sh): arm64 programs run there
# through qemu-user-static's binfmt handler, registered here (and binfmt_misc mounted where it is not).
DEPS_APT += qemu-user-static binfmt-support dnsmasq-base
DEPS_EXTRA += deps-binfmt
.PHONY: deps-binfmt
deps-binfmt:
	@[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || true
	@[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 || true
	@[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo "deps: binfmt handler for aarch64 registered" \
	  || echo "deps: no binfmt handler for aarch64: the arm64 .deb install test will skip"

# make bench-arm64: the same VM, then 65,000 UDP flows through the NAT at once: the RSS of the agent that
# runs after the restart, the static one (ARM64_STATIC=0: the dynamic one)
# (docs/benchmarks.md). CPU times under TCG emulation mean nothing and are not reported.
.PHONY: bench-arm64
bench-arm64: build
	@ARM64_FLOWS=65000 ARM64_STATIC=$(or $(ARM64_STATIC),1) bash tools/arm64/test-arm64.sh $(BUILD)/bench-arm64

# make bench-footprint: the same flood on this machine (x64 NativeAOT agent in a namespace router): RSS with
# 65,000 flows open, for measuring a change before confirming it on arm64 (docs/benchmarks.md, "Footprint").
.PHONY: bench-footprint
bench-footprint: build
	@$(MAKE) --no-print-directory aot RID=linux-x64 >/dev/null
	@$(MAKE) --no-print-directory native ARCH=x86_64 build/native/x86_64/ce-flowgen >/dev/null
	@bash tools/bench-footprint.sh
