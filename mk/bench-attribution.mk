# Attribution benchmark (issue 9): a simulated day of 256 v6plus households sharing one IPv4, run
# through the real aggregation, filter, encoding and resolution code, against per-session and
# opening-log baselines. Writes the tables into docs/attribution.md and the plot to docs/attribution.png.
# `make bench-attribution-quick` runs the evening peak only (seconds instead of minutes).
DEPS_APT += gnuplot-nox

BENCH_ATTR_PROJ := tests/CeAgent.Bench/CeAgent.Bench.csproj
BENCH_ATTR_DLL  := tests/CeAgent.Bench/bin/$(CONFIG)/net10.0/ce-bench-attribution.dll
BENCH_ATTR_ARGS ?=

.PHONY: bench-attribution bench-attribution-quick
bench-attribution: $(BUILD_PREREQS)
	$(DOTNET) build $(BENCH_ATTR_PROJ) -c $(CONFIG) -nologo -v quiet -clp:NoSummary
	$(DOTNET) $(BENCH_ATTR_DLL) --work $(BUILD)/bench-attribution $(BENCH_ATTR_ARGS)

bench-attribution-quick: BENCH_ATTR_ARGS += --quick --report $(BUILD)/bench-attribution/attribution-quick.md --plot $(BUILD)/bench-attribution/attribution-quick.png
bench-attribution-quick: bench-attribution
