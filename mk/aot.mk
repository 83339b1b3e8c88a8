# NativeAOT. `make aot RID=...` is the shipping build for a machine whose NuGet source has the net10
# NativeAOT and arm64 packs. This environment serves neither (DESIGN.md section 10), so `make aot-check`
# compiles the same sources NativeAOT for linux-x64 on net9.0, the newest framework whose packs are
# served, runs the binary and fails on any trim/AOT warning.
RID        ?= linux-arm64
AOT_TFM    ?= net10.0
AOT_OUT    := $(BUILD)/aot/$(RID)
AOT_CHECK  := $(BUILD)/aot/check
MAPE_EXAMPLE := --rule6 2001:db8::/40 --rule4 192.0.2.0/24 --ea-len 16 --psid-offset 6 --prefix 2001:db8:12:3400::/56

.PHONY: aot aot-check
aot: $(BUILD_PREREQS)
	$(DOTNET) publish agent/CeAgent/CeAgent.csproj -c Release -r $(RID) -p:CeTfm=$(AOT_TFM) -o $(AOT_OUT) -nologo
	@ls -l $(AOT_OUT)/ce-agent

TEST_TARGETS += aot-check
aot-check: $(BUILD_PREREQS)
	@mkdir -p $(AOT_CHECK) $(RESULTS)
	@bash tools/aot-check.sh "$(DOTNET)" "$(AOT_CHECK)" "$(RESULTS)" $(MAPE_EXAMPLE)

# `make mape-example`: RFC 7597 appendix A's example rule, computed by the agent.
.PHONY: mape-example
mape-example: build
	$(BIN)/ce-agent mape $(MAPE_EXAMPLE)
