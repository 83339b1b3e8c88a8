using CeAgent.Bench;

// `make bench-attribution` runs this; `--quick` runs the evening peak with fewer requests.
// `make bench-format` runs `format [iterations]`: the summary format's sizes and decode cost.
// `make bench-snapshot` runs `snapshot`: the flash the open-interval snapshot costs a day.
return args switch
{
    ["format", ..] => CeAgent.Bench.Format.FormatBench.Run(args[1..]),
    ["snapshot", ..] => CeAgent.Bench.Format.SnapshotBench.Run(args[1..]),
    _ => BenchCommand.Run(args),
};
