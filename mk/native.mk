# native/: libceagent, the conntrack reader in C. `make native` builds the shared library (tests,
# development) and the static one (NativeAOT links it in) for the host; `make native ARCH=aarch64`
# cross-compiles with Debian's gcc-aarch64-linux-gnu (needs `make deps-aarch64` once, for the arm64 -dev
# packages). `make test-native` runs the C tests against recorded netlink messages.
DEPS_APT += libmnl-dev pkg-config conntrack

ARCH        ?= $(shell uname -m)
NATIVE_OUT  := $(BUILD)/native/$(ARCH)
NATIVE_SRC  := $(wildcard native/src/*.c)
NATIVE_OBJ  := $(patsubst native/src/%.c,$(NATIVE_OUT)/obj/%.o,$(NATIVE_SRC))
ifeq ($(ARCH),$(shell uname -m))
NATIVE_CC   ?= gcc
NATIVE_PKG  := pkg-config
else
NATIVE_CC   := $(ARCH)-linux-gnu-gcc
NATIVE_PKG  := PKG_CONFIG_LIBDIR=/usr/lib/$(ARCH)-linux-gnu/pkgconfig pkg-config
endif
# libceagent needs only libc: its netlink subset is its own (native/src/mnl.h says why), so it links into a
# static executable. The C tests build their messages with the real libmnl.
NATIVE_LIBS    :=
NATIVE_TEST_LIBS = $(shell $(NATIVE_PKG) --libs libmnl)
NATIVE_CFLAGS  = -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -fvisibility=hidden -DCE_VERSION='"$(VERSION)"'

.PHONY: native test-native deps-aarch64
BUILD_PREREQS += native
native: $(NATIVE_OUT)/libceagent.so $(NATIVE_OUT)/libceagent.a

$(NATIVE_OUT)/obj/%.o: native/src/%.c native/src/internal.h native/src/mnl.h native/include/ceagent.h native/include/ceplatform.h VERSION
	@mkdir -p $(@D)
	$(NATIVE_CC) $(NATIVE_CFLAGS) -c $< -o $@

$(NATIVE_OUT)/libceagent.so: $(NATIVE_OBJ) native/libceagent.map
	$(NATIVE_CC) -shared -Wl,--version-script=native/libceagent.map -Wl,-soname,libceagent.so -o $@ $(NATIVE_OBJ) $(NATIVE_LIBS)

$(NATIVE_OUT)/libceagent.a: $(NATIVE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(NATIVE_OUT)/test_parse: tests/native/test_parse.c $(NATIVE_OUT)/libceagent.a
	$(NATIVE_CC) $(NATIVE_CFLAGS) -Inative/include $< -o $@ $(NATIVE_OUT)/libceagent.a $(NATIVE_TEST_LIBS)

$(NATIVE_OUT)/test_mnl: tests/native/test_mnl.c $(NATIVE_OUT)/libceagent.a
	$(NATIVE_CC) $(NATIVE_CFLAGS) $< -o $@ $(NATIVE_OUT)/libceagent.a

$(NATIVE_OUT)/test_platform: tests/native/test_platform.c $(NATIVE_OUT)/libceagent.a
	$(NATIVE_CC) $(NATIVE_CFLAGS) -Inative/include $< -o $@ $(NATIVE_OUT)/libceagent.a $(NATIVE_LIBS)

$(NATIVE_OUT)/ce-ct-capture: tests/native/capture.c
	$(NATIVE_CC) $(NATIVE_CFLAGS) $< -o $@ $(NATIVE_TEST_LIBS)

# The same tests once more under AddressSanitizer and UBSan: the parser meets hostile bytes in them.
$(NATIVE_OUT)/test_parse_asan: tests/native/test_parse.c $(NATIVE_SRC) native/src/internal.h native/src/mnl.h native/include/ceagent.h
	$(NATIVE_CC) $(filter-out -O2,$(NATIVE_CFLAGS)) -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -Inative/include $< $(NATIVE_SRC) -o $@ $(NATIVE_TEST_LIBS)

TEST_TARGETS += test-native
test-native: $(NATIVE_OUT)/test_parse $(NATIVE_OUT)/test_parse_asan $(NATIVE_OUT)/test_platform $(NATIVE_OUT)/test_mnl
	@mkdir -p $(RESULTS)
	@$(NATIVE_OUT)/test_platform $(RESULTS)/native-platform.count
	@$(NATIVE_OUT)/test_mnl $(RESULTS)/native-mnl.count
	@set -o pipefail; $(NATIVE_OUT)/test_parse tests/native/data $(RESULTS)/native.count | grep -v '^event'
	@set -o pipefail; $(NATIVE_OUT)/test_parse_asan tests/native/data $(RESULTS)/native-asan.count | grep -v '^event'

# The arm64 -dev packages beside the host's (Debian multiarch), for `make native ARCH=aarch64` and the
# arm64 NativeAOT link; libssl3:arm64 lets the arm64 agent's crypto run under qemu-user, and
# libssl-dev:arm64's static archives go into the static agent (make aot-static). libmnl-dev:arm64 is for
# the aarch64 C tests only. `make deps` runs this too. Idempotent.
DEPS_EXTRA += deps-aarch64
deps-aarch64:
	@if dpkg-query -W -f='$${Status}\n' libmnl-dev:arm64 libssl3:arm64 libssl-dev:arm64 2>/dev/null | grep -c 'install ok installed' | grep -qx 3 \
	    && command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then \
	  echo "deps: arm64 cross toolchain present"; \
	else \
	  dpkg --add-architecture arm64 && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc-aarch64-linux-gnu \
	    libc6-dev-arm64-cross libmnl-dev:arm64 libssl3:arm64 libssl-dev:arm64 qemu-user; \
	fi

# The aarch64 build's parser and platform tests, run under qemu-user (the platform test without -L: it
# creates a timerfd and would meet the same mixed ld.so/libc as .NET).
TEST_TARGETS += test-native-aarch64
test-native-aarch64:
	@if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64 >/dev/null; then \
	  echo "SKIP: test-native-aarch64: no aarch64 cross compiler or qemu-user (make deps-aarch64)"; exit 0; fi; \
	$(MAKE) --no-print-directory ARCH=aarch64 build/native/aarch64/test_parse build/native/aarch64/test_platform build/native/aarch64/test_mnl >/dev/null && \
	mkdir -p $(RESULTS) && qemu-aarch64 build/native/aarch64/test_platform $(RESULTS)/native-platform-aarch64.count \
	  | sed 's/^platform:/platform (aarch64 under qemu):/' && \
	qemu-aarch64 build/native/aarch64/test_mnl $(RESULTS)/native-mnl-aarch64.count | sed 's/^mnl:/mnl (aarch64 under qemu):/' && \
	set -o pipefail && qemu-aarch64 -L /usr/aarch64-linux-gnu build/native/aarch64/test_parse tests/native/data \
	  $(RESULTS)/native-aarch64.count | grep -v '^event' | sed 's/^native:/native (aarch64 under qemu):/'

# make bench-conntrack: ingest throughput and CPU against conntrack-tools, and the highest zero-loss rate.
DEPS_APT += time bc
.PHONY: bench-conntrack
$(NATIVE_OUT)/ce-flowgen: tests/native/flowgen.c
	$(NATIVE_CC) -O2 -Wall -Wextra -Werror $< -o $@
bench-conntrack: build $(NATIVE_OUT)/ce-flowgen
	bash tools/bench-conntrack.sh
