# NativeAOT, the shipping build. `make aot RID=linux-arm64` (or linux-x64) publishes ce-agent for that
# runtime on net10.0 into build/aot/RID/publish, with the native library of the same architecture linked in
# statically. The arm64 link goes through clang (the ILCompiler passes --target=aarch64-linux-gnu, which
# gcc rejects) against the multiarch arm64 libraries. `make aot-check` builds both RIDs, fails on any
# trim/AOT warning and runs both binaries (arm64 under qemu-user).
# `make aot RID=linux-arm64 STATIC=1` (or `make aot-static`) is the OpenWrt build: one static executable
# that needs no libc (docs/device-build.md, "OpenWrt is musl"), into build/aot/RID-static/publish.
# OpenSSL is linked in from Debian's static archives (libssl-dev of the target), its .NET shim built by
# cmake for the target (CFLAGS carries clang's --target into that cmake build).
DEPS_APT   += clang lld llvm file python3 cmake
RID        ?= linux-arm64
STATIC     ?=
AOT_ARCH    = $(if $(findstring arm64,$(1)),aarch64,x86_64)
AOT_OUT    := $(BUILD)/aot/$(RID)$(if $(STATIC),-static)/publish
MAPE_EXAMPLE := --rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 6 --prefix 2001:db8:12:3400::/56

.PHONY: aot aot-static aot-check
aot:
	@$(MAKE) --no-print-directory native ARCH=$(call AOT_ARCH,$(RID)) >/dev/null
	@# The referenced libraries build without the RID, from their own obj: restored here, so that a fresh
	@# clone builds a device binary without a development build first.
	@$(DOTNET) restore agent/CeAgent/CeAgent.csproj -nologo -v q >/dev/null
	$(if $(STATIC),CFLAGS=--target=$(call AOT_ARCH,$(RID))-linux-gnu) $(DOTNET) publish agent/CeAgent/CeAgent.csproj \
	  -c Release -r $(RID) $(if $(STATIC),-p:CeStatic=true) -o $(AOT_OUT) -nologo
	@ls -l $(AOT_OUT)/ce-agent
aot-static:
	@$(MAKE) --no-print-directory aot RID=$(RID) STATIC=1

TEST_TARGETS += aot-check
aot-check:
	@$(MAKE) --no-print-directory native ARCH=x86_64 >/dev/null
	@$(MAKE) --no-print-directory native ARCH=aarch64 >/dev/null
	@mkdir -p $(RESULTS)
	@bash tools/aot-check.sh "$(DOTNET)" "$(RESULTS)" $(MAPE_EXAMPLE)

# `make mape-example`: RFC 7597 appendix A's example rule, computed by the agent.
.PHONY: mape-example
mape-example: build
	$(BIN)/ce-agent mape $(MAPE_EXAMPLE)
