import Tensor

extension SplitMix64 {
    /// A number in 0..<n (for picking where to damage a file: every seed names one reproducible mutant).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}
