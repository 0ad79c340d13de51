/// Reproducible random tensors (SplitMix64), for tests, benchmarks and random-weight models.
public enum RandomTensor {
    /// A contiguous tensor of `shape` with values uniform in `range`, the same for the same seed everywhere.
    public static func uniform(_ shape: Dimensions, seed: UInt64, range: ClosedRange<Float> = -1...1) -> Tensor {
        let t = Tensor(zeros: shape)
        var generator = SplitMix64(state: seed &+ 0x9E37_79B9_7F4A_7C15)
        let p = t.pointer, span = range.upperBound - range.lowerBound
        for i in 0..<t.count {
            p[i] = range.lowerBound + span * Float(generator.next() >> 40) / Float(1 << 24)
        }
        return t
    }
}
