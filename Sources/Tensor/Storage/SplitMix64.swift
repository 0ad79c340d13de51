/// SplitMix64: a small, fast, reproducible generator (the same numbers for the same seed on every machine).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose first output is SplitMix64's first output after `state`.
    public init(state: UInt64) { self.state = state }

    /// Independent streams of one seed: `stream` picks one (e.g. a day number).
    public init(seed: UInt64, stream: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 ^ (stream &+ 0x632B_E59B_D9B4_E019) &* 0xD1B5_4A32_D192_ED03
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in the open interval (0, 1).
    public mutating func unit() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }
}
