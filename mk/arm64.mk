# make test-arm64: the arm64 NativeAOT agent as a CE on Debian's arm64 kernel in qemu-system-aarch64, end
# to end into summaries that the host's collector verifies and the resolver attributes
# (tools/arm64/test-arm64.sh). The kernel and the root's packages are fetched once into build/arm64/.
DEPS_APT += qemu-system-arm cpio mosquitto openssl sqlite3 socat
.PHONY: test-arm64
TEST_TARGETS += test-arm64
test-arm64: build
	@bash tools/arm64/test-arm64.sh $(RESULTS)
