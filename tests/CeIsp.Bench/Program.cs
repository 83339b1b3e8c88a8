using CeIsp.Bench;

// `make bench-isp` runs this; `--quick` runs two evening hours.
return IspBenchCommand.Run(args);
