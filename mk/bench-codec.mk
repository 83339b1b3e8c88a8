# CPU cost of the ISP side's pure steps (issue 16): COSE parse, ES256 verify, strict decode, header decode,
# filter validation and lookup per window, filter key derivation, on two evening hours of the bench-isp
# day's real messages, one thread, no I/O. `BENCH_CODEC_ARGS=--full` uses the whole day.
BENCH_CODEC_ARGS ?=

.PHONY: bench-codec
bench-codec: $(BUILD_PREREQS)
	$(DOTNET) build -c $(CONFIG) $(BENCH_ISP_PROJ) --nologo -v q
	$(DOTNET) $(BENCH_ISP_DLL) codec $(BENCH_CODEC_ARGS)
