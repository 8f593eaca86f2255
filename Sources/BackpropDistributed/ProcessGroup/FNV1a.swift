/// The 64-bit FNV-1a hash, the same in every process (Swift's `Hasher` is seeded per process):
/// how ranks compare what they hold with one all-reduce of a single number.
struct FNV1a {
    private(set) var value: UInt64 = 14_695_981_039_346_656_037

    mutating func add(_ word: UInt64) { value = (value ^ word) &* 1_099_511_628_211 }
}
