# Device packages from rootfs/: `make deb` (Debian, Raspberry Pi OS) and `make ipk` (OpenWrt). The binary is
# the NativeAOT agent of the package's architecture (`make aot RID=...`, built when missing): linux-arm64
# for DEB_ARCH=arm64 and for an aarch64 IPK_ARCH, linux-x64 otherwise. The aarch64 .ipk carries the static
# build (`make aot-static`): OpenWrt is musl, and that binary needs no libc (docs/device-build.md).
DEPS_APT += dpkg-dev debootstrap systemd
DEB_ARCH  ?= amd64
IPK_ARCH  ?= x86_64
PKG_ARCH   = $(if $(filter deb,$@),$(DEB_ARCH),$(IPK_ARCH))
AGENT_RID  = $(if $(filter arm64 aarch64%,$(PKG_ARCH)),linux-arm64,linux-x64)
AGENT_STATIC = $(if $(filter ipk,$@),$(filter aarch64%,$(PKG_ARCH)))
AGENT_BIN ?= build/aot/$(AGENT_RID)$(if $(AGENT_STATIC),-static)/publish/ce-agent
.PHONY: deb ipk test-package
deb ipk:
	@[ -x $(AGENT_BIN) ] || $(MAKE) --no-print-directory aot RID=$(AGENT_RID) STATIC=$(if $(AGENT_STATIC),1)
	bash tools/package.sh $@ $(PKG_ARCH) $(AGENT_BIN) build/pkg
TEST_TARGETS += test-package
test-package:
	@bash tools/test-package.sh $(RESULTS)
