using CeAgent.Shared.Tests.Summary;

// ce-vectors [FILE]: writes the published summary test vectors (default: docs/summary-vectors.json under the
// current directory), signed afresh by the published test key. VectorTests then checks the committed file.
string path = args.Length switch
{
    0 => VectorSet.RelativePath,
    1 => args[0],
    _ => throw new ArgumentException("usage: ce-vectors [FILE]"),
};
File.WriteAllText(path, VectorSet.Fresh());
Console.Out.WriteLine($"wrote {path}");
return 0;
