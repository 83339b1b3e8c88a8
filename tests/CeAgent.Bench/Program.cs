using CeAgent.Bench;

// `make bench-attribution` runs this; `--quick` runs the evening peak with fewer requests.
// `make bench-format` runs `format [iterations]`: the summary format's sizes and decode cost.
return args is ["format", ..] ? CeAgent.Bench.Format.FormatBench.Run(args[1..]) : BenchCommand.Run(args);
