# Summary format benchmark (issues 15 and 19): bytes of a one-window message and the collector's strict
# parse and decode per message, on one core. `BENCH_FORMAT_ARGS` sets the iterations.

BENCH_FORMAT_ARGS ?= 3000

.PHONY: bench-format
bench-format: $(BUILD_PREREQS)
	$(DOTNET) build -c $(CONFIG) tests/CeAgent.Bench/CeAgent.Bench.csproj --nologo -v q
	$(DOTNET) $(BENCH_ATTR_DLL) format $(BENCH_FORMAT_ARGS)

# Open-interval snapshot benchmark (issue 19): the bytes the agent writes to flash a day for the snapshot
# of open destination intervals, over the attribution benchmark's simulated day (docs/robustness.md).
.PHONY: bench-snapshot
bench-snapshot: $(BUILD_PREREQS)
	$(DOTNET) build -c $(CONFIG) tests/CeAgent.Bench/CeAgent.Bench.csproj --nologo -v q
	$(DOTNET) $(BENCH_ATTR_DLL) snapshot
