using System.Runtime.CompilerServices;

namespace CeAgent.Interop;

/// <summary>An address field of struct ce_ct_record: 16 bytes, network order (IPv4 in the first 4). An
/// inline array, so the record stays blittable without a fixed buffer and readers need no pointer.</summary>
[InlineArray(16)]
public struct AddressBytes
{
    private byte _first;
}
