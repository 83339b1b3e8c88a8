# Device packages from rootfs/: `make deb` (Debian, Raspberry Pi OS) and `make ipk` (OpenWrt). The binary is
# the NativeAOT agent: for amd64 the aot-check build; for ARM, `make aot RID=linux-arm64` on a machine with
# the packs, then DEB_ARCH=arm64 AGENT_BIN=build/aot/linux-arm64/ce-agent.
DEPS_APT += dpkg-dev debootstrap systemd
DEB_ARCH  ?= amd64
IPK_ARCH  ?= x86_64
AGENT_BIN ?= build/aot/check/bin/ce-agent
.PHONY: deb ipk test-package
deb ipk:
	@[ -x $(AGENT_BIN) ] || $(MAKE) --no-print-directory aot-check
	bash tools/package.sh $@ $(if $(filter deb,$@),$(DEB_ARCH),$(IPK_ARCH)) $(AGENT_BIN) build/pkg
TEST_TARGETS += test-package
test-package:
	@bash tools/test-package.sh $(RESULTS)
