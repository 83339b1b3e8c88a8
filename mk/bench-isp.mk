# ISP benchmark (issue 8): a simulated day of 256 CEs' signed summaries verified and stored in SQLite
# and PostgreSQL, one and two collectors on a shared subscription through mosquitto, and the resolver's
# latency. Writes its tables into docs/benchmarks.md. Needs root (PostgreSQL runs as its own user).
BENCH_ISP_PROJ := tests/CeIsp.Bench/CeIsp.Bench.csproj
BENCH_ISP_DLL  := tests/CeIsp.Bench/bin/$(CONFIG)/net10.0/ce-bench-isp.dll
BENCH_ISP_ARGS ?= --report docs/benchmarks.md

.PHONY: bench-isp bench-isp-quick
bench-isp: build
	$(DOTNET) $(BENCH_ISP_DLL) --work $(BUILD)/bench-isp $(BENCH_ISP_ARGS)

bench-isp-quick: BENCH_ISP_ARGS = --quick
bench-isp-quick: bench-isp
