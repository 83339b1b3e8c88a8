# `make install DESTDIR=... PREFIX=/usr`: the NativeAOT agent and what runs it under systemd, in the layout
# the .deb carries; `make install-openwrt DESTDIR=...`: the .ipk's (procd init script, UCI configuration,
# ntp hotplug). tools/package.sh builds both packages from these targets, so the layout is written once.
# The agent is the host architecture's NativeAOT build (made when missing) unless INSTALL_BIN names another.
PREFIX      ?= /usr/local
DESTDIR     ?=
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(SYSCONFDIR)/systemd/system)
INSTALL_RID := linux-$(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x64)
INSTALL_BIN ?= $(BUILD)/aot/$(INSTALL_RID)/publish/ce-agent
# The unit and the init script name the binary by its path: where PREFIX puts it.
AT_PREFIX    = sed 's:/usr/bin/ce-agent:$(PREFIX)/bin/ce-agent:g'

.PHONY: install install-openwrt install-bin
install-bin:
	@[ -x "$(INSTALL_BIN)" ] || $(MAKE) --no-print-directory aot RID=$(INSTALL_RID)
	install -D -m 0755 "$(INSTALL_BIN)" "$(DESTDIR)$(PREFIX)/bin/ce-agent"

install: install-bin
	install -d -m 0755 "$(DESTDIR)$(UNITDIR)"
	$(AT_PREFIX) rootfs/systemd/ce-agent.service > "$(DESTDIR)$(UNITDIR)/ce-agent.service"
	chmod 0644 "$(DESTDIR)$(UNITDIR)/ce-agent.service"
	install -D -m 0644 rootfs/common/sysctl.d/60-ce-agent.conf "$(DESTDIR)$(PREFIX)/lib/sysctl.d/60-ce-agent.conf"
	install -D -m 0644 rootfs/common/agent.json.example "$(DESTDIR)$(SYSCONFDIR)/ce-agent/agent.json.example"
	install -D -m 0644 README.md "$(DESTDIR)$(PREFIX)/share/doc/ce-agent/README.md"

# The UCI file holds the filter key: 0600, like the runtime configuration the init script writes from it.
install-openwrt: install-bin
	install -d -m 0755 "$(DESTDIR)/etc/init.d"
	$(AT_PREFIX) rootfs/openwrt/etc/init.d/ce-agent > "$(DESTDIR)/etc/init.d/ce-agent"
	chmod 0755 "$(DESTDIR)/etc/init.d/ce-agent"
	install -D -m 0600 rootfs/openwrt/etc/config/ce-agent "$(DESTDIR)/etc/config/ce-agent"
	install -D -m 0755 rootfs/openwrt/etc/hotplug.d/ntp/50-ce-agent "$(DESTDIR)/etc/hotplug.d/ntp/50-ce-agent"
	install -D -m 0644 rootfs/common/sysctl.d/60-ce-agent.conf "$(DESTDIR)/etc/sysctl.d/60-ce-agent.conf"

# busybox: OpenWrt's shell, which runs the init script's UCI translation in its test (tests/CeAgent.Tests, Config).
DEPS_APT += busybox

TEST_TARGETS += test-install
test-install:
	@bash tools/test-install.sh $(RESULTS)
