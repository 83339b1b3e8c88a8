using CeIsp.Bench;

// `make bench-isp` runs this; `--quick` runs two evening hours. `resolve90 --store sqlite|postgres` measures
// the resolver on the cached 90-day store alone (building it first if it is not there).
return args.FirstOrDefault() == "resolve90" ? Retention90Bench.Cli(args[1..]) : IspBenchCommand.Run(args);
