# The summary format checked by an independent implementation (npm cbor + cose-js) in tests/interop.
# `make deps` runs `npm ci` there (tools/deps.sh).
.PHONY: test-interop
TEST_TARGETS += test-interop
test-interop:
	@mkdir -p $(RESULTS)
	@cd tests/interop && node --test --test-reporter=tap > $(CURDIR)/$(RESULTS)/interop.tap 2>&1; rc=$$?; \
	  cat $(CURDIR)/$(RESULTS)/interop.tap | grep -E '^(not )?ok |^# (pass|fail)'; \
	  p=$$(sed -n 's/^# pass //p' $(CURDIR)/$(RESULTS)/interop.tap); f=$$(sed -n 's/^# fail //p' $(CURDIR)/$(RESULTS)/interop.tap); \
	  [ -n "$$p" ] || { p=0; f=1; }; echo "$$p $$f" > $(CURDIR)/$(RESULTS)/interop.count; exit $$rc
