using CeAgent.Bench;

// `make bench-attribution` runs this; `--quick` runs the evening peak with fewer requests.
return BenchCommand.Run(args);
