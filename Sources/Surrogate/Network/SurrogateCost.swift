import OceanGrid

/// Floating-point work of one forward pass on a grid, by part of the network, counted from the architecture
/// (2 FLOPs per multiply-add of every convolution, Linear and attention product; normalisation, activation
/// and softmax work is left out: it is memory-bound and under 1% of the count).
public struct SurrogateCost: Sendable, Equatable {
    /// One part of the network and its FLOPs.
    public struct Part: Sendable, Equatable {
        public let name: String
        public let flops: Double
    }

    /// The grid after zero padding.
    public let paddedHeight: Int
    public let paddedWidth: Int
    /// Tokens of each Swin stage.
    public let tokensPerStage: [Int]
    /// The parts, in network order.
    public let parts: [Part]

    /// FLOPs of one forward pass (one forecast day).
    public var flops: Double { parts.reduce(0) { $0 + $1.flops } }

    /// The cost of one step of `c` on a `height` x `width` grid.
    public init(_ c: SurrogateConfiguration, height: Int, width: Int) {
        (paddedHeight, paddedWidth) = c.paddedSize(height: height, width: width)
        let p = c.patchSize, d = Double(c.embedDim)
        let patches = Double(paddedHeight / p * (paddedWidth / p)), tokens = patches / 4
        let conv3x3 = 2 * 9 * d * d
        tokensPerStage = c.depths.indices.map { Int(tokens) >> (2 * $0) }
        var swinLinear = 0.0, attention = 0.0, resampling = 0.0
        let n = Double(c.windowSize * c.windowSize)
        for (i, dim) in c.stageDims.enumerated() {
            let t = Double(tokensPerStage[i]), cd = Double(dim), hidden = Double(c.hidden(dim))
            // Encoder stage, plus its decoder twin below the deepest stage.
            let blocks = Double(c.depths[i] * (i < c.depths.count - 1 ? 2 : 1))
            swinLinear += blocks * 2 * t * (3 * cd * cd + cd * cd + 2 * cd * hidden)
            attention += blocks * 2 * t * n * cd * 2
            if i < c.depths.count - 1 {
                resampling += 2 * (t / 4) * (4 * cd) * (2 * cd)   // patch merging
                resampling += 2 * (t / 4) * (2 * cd) * (4 * cd)   // patch expanding
            }
        }
        parts = [
            Part(name: "patch embedding", flops: 2 * patches * Double((c.stateChannels + c.fluxChannels) * p * p) * d),
            Part(name: "down blocks", flops: 2 * 3 * tokens * conv3x3),
            Part(name: "Swin linear layers", flops: swinLinear),
            Part(name: "window attention", flops: attention),
            Part(name: "patch merging and expanding", flops: resampling),
            Part(name: "up block", flops: 2 * tokens * d * 4 * d + 2 * patches * conv3x3),
            Part(name: "output head", flops: 2 * patches * d * Double(c.stateChannels * p * p)),
        ]
    }
}
