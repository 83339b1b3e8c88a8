# ce-agent: the targets people already know (all, build, test, clean, install) plus deps, aot, bench-*.
# Each concern keeps its own fragment in mk/*.mk and appends to the lists below.
SHELL := /bin/bash
.DEFAULT_GOAL := all

DOTNET      ?= dotnet
CONFIG      ?= Release
BUILD       := build
BIN         := $(BUILD)/bin
RESULTS     := $(BUILD)/test-results
# The version, written only in VERSION (the assemblies, libceagent and the packages read it).
VERSION     := $(shell cat VERSION)
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

# Debian packages the build and the tests need; fragments append.
DEPS_APT := make gcc pkg-config iproute2
# Targets `make build` runs before the C# build (the native library, for instance).
BUILD_PREREQS :=
# Test targets `make test` runs after the xunit suites.
TEST_TARGETS :=
# Install steps beyond Debian packages of the host's architecture (fragments append targets).
DEPS_EXTRA :=

include $(sort $(wildcard mk/*.mk))

.PHONY: all build deps test test-dotnet clean demo
all: build

deps:
	@bash tools/deps.sh $(DEPS_APT)
	@$(if $(DEPS_EXTRA),$(MAKE) --no-print-directory $(DEPS_EXTRA))

build: $(BUILD_PREREQS)
	$(DOTNET) build CeAgent.sln -c $(CONFIG) -nologo -v quiet -clp:NoSummary
	@mkdir -p $(BIN)
	@for p in ce-agent:CeAgent ce-isp:CeIsp; do \
	  name=$${p%%:*}; proj=$${p##*:}; \
	  printf '#!/bin/sh\nexec dotnet "%s/agent/%s/bin/$(CONFIG)/net10.0/%s.dll" "$$@"\n' "$(CURDIR)" $$proj $$name > $(BIN)/$$name; \
	  chmod +x $(BIN)/$$name; done
	@echo "built: $(BIN)/ce-agent $(BIN)/ce-isp"

# Every test: the xunit suites (counted from their trx files), then each fragment's suites, then a total.
test: build
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory -k test-dotnet $(TEST_TARGETS); rc=$$?; bash tools/count-results.sh $(RESULTS) $$rc; exit $$rc

test-dotnet:
	$(DOTNET) test CeAgent.sln -c $(CONFIG) --no-build --logger "trx" --logger "console;verbosity=normal" --results-directory $(RESULTS)

# The README's main job: a MAP-E world in namespaces, agents, broker, collector, and the resolver's verdicts.
demo: build
	@bash tools/demo.sh

clean:
	rm -rf $(BUILD)
	find agent tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
