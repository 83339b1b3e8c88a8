# `make vectors`: rewrites docs/summary-vectors.json (the summary format's published test vectors) with
# fresh signatures by the published test key; run it when the format or the sample messages change, and
# commit the file. The tests only check the committed file (VectorTests, tests/interop).
.PHONY: vectors
vectors:
	$(DOTNET) run --project tests/CeAgent.Vectors -c $(CONFIG) -- docs/summary-vectors.json
