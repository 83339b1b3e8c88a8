using CeIsp.Bench;
using CeIsp.Store;

// `make bench-isp` runs this; `--quick` runs two evening hours. `resolve90 --store sqlite|postgres` measures
// the resolver on the cached 90-day store alone (building it first if it is not there); `codec` prints the
// CPU cost of each verify/decode/lookup step (`make bench-codec`); `store-profile` the store's share of the
// collector and the resolver's split.
NativeHeap.Prepare(); // as ce-isp does
return args.FirstOrDefault() switch
{
    "resolve90" => Retention90Bench.Cli(args[1..]),
    "codec" => CodecBench.Cli(args[1..]),
    "store-profile" => StoreProfile.Cli(args[1..]),
    "resolver-profile" => ResolverProfile.Cli(args[1..]),
    _ => IspBenchCommand.Run(args),
};
