# NativeAOT, the shipping build. `make aot RID=linux-arm64` (or linux-x64) publishes ce-agent for that
# runtime on net10.0 into build/aot/RID/publish, with the native library of the same architecture linked in
# statically. The arm64 link goes through clang (the ILCompiler passes --target=aarch64-linux-gnu, which
# gcc rejects) against the multiarch arm64 libraries. `make aot-check` builds both RIDs, fails on any
# trim/AOT warning and runs both binaries (arm64 under qemu-user).
DEPS_APT   += clang lld llvm file python3
RID        ?= linux-arm64
AOT_ARCH    = $(if $(findstring arm64,$(1)),aarch64,x86_64)
AOT_OUT    := $(BUILD)/aot/$(RID)/publish
MAPE_EXAMPLE := --rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 6 --prefix 2001:db8:12:3400::/56

.PHONY: aot aot-check
aot:
	@$(MAKE) --no-print-directory native ARCH=$(call AOT_ARCH,$(RID)) >/dev/null
	$(DOTNET) publish agent/CeAgent/CeAgent.csproj -c Release -r $(RID) -o $(AOT_OUT) -nologo
	@ls -l $(AOT_OUT)/ce-agent

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
