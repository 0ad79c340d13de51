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

    /// One matrix product shape of the network: C[m, n] = A[m, k] W[k, n], `count` times per pass (a
    /// convolution as its indirect GEMM: k = taps x input channels).
    public struct Product: Sendable, Equatable {
        public let name: String
        public let m: Int, k: Int, n: Int, count: Int
        public var flops: Double { 2 * Double(m) * Double(k) * Double(n) * Double(count) }
    }

    /// The grid after zero padding.
    public let paddedHeight: Int
    public let paddedWidth: Int
    /// Tokens of each Swin stage.
    public let tokensPerStage: [Int]
    /// The parts, in network order.
    public let parts: [Part]
    /// Every packed matrix product of a pass, in network order (the attention's own products are not among them).
    public let products: [Product]

    /// FLOPs of one forward pass (one forecast day).
    public var flops: Double { parts.reduce(0) { $0 + $1.flops } }

    /// The cost of one step of `c` on a `height` x `width` grid.
    public init(_ c: SurrogateConfiguration, height: Int, width: Int) {
        (paddedHeight, paddedWidth) = c.paddedSize(height: height, width: width)
        let p = c.patchSize, d = Double(c.embedDim)
        let patches = Double(paddedHeight / p * (paddedWidth / p)), tokens = patches / 4
        let conv3x3 = 2 * 9 * d * d
        tokensPerStage = c.depths.indices.map { Int(tokens) >> (2 * $0) }
        let s = c.stateChannels, pt = Int(patches), tk = Int(tokens), di = c.embedDim
        var products = [Product(name: "state patch embedding", m: pt, k: s * p * p, n: di, count: 1),
                        Product(name: "flux patch embedding", m: pt, k: c.fluxChannels * p * p, n: di, count: 1),
                        Product(name: "down conv3x3 stride 2", m: tk, k: 9 * di, n: di, count: 2),
                        Product(name: "down conv3x3", m: tk, k: 9 * di, n: di, count: 4)]
        var swinLinear = 0.0, attention = 0.0, resampling = 0.0
        let n = Double(c.windowSize * c.windowSize)
        for (i, dim) in c.stageDims.enumerated() {
            let t = Double(tokensPerStage[i]), cd = Double(dim), hidden = Double(c.hidden(dim))
            // Encoder stage, plus its decoder twin below the deepest stage.
            let blocks = Double(c.depths[i] * (i < c.depths.count - 1 ? 2 : 1))
            swinLinear += blocks * 2 * t * (3 * cd * cd + cd * cd + 2 * cd * hidden)
            attention += blocks * 2 * t * n * cd * 2
            let ti = tokensPerStage[i], hi = c.hidden(dim), bi = Int(blocks)
            products += [Product(name: "stage \(i) qkv", m: ti, k: dim, n: 3 * dim, count: bi),
                         Product(name: "stage \(i) proj", m: ti, k: dim, n: dim, count: bi),
                         Product(name: "stage \(i) fc1", m: ti, k: dim, n: hi, count: bi),
                         Product(name: "stage \(i) fc2", m: ti, k: hi, n: dim, count: bi)]
            if i < c.depths.count - 1 {
                products += [Product(name: "stage \(i) merging", m: ti / 4, k: 4 * dim, n: 2 * dim, count: 1),
                             Product(name: "stage \(i + 1) expanding", m: ti / 4, k: 2 * dim, n: 4 * dim, count: 1)]
                resampling += 2 * (t / 4) * (4 * cd) * (2 * cd)   // patch merging
                resampling += 2 * (t / 4) * (2 * cd) * (4 * cd)   // patch expanding
            }
        }
        products += [Product(name: "up transposed conv", m: tk, k: di, n: 2 * di, count: 2),
                     Product(name: "up conv3x3", m: pt, k: 9 * di, n: di, count: 2),
                     Product(name: "output head", m: pt, k: di, n: s * p * p, count: 1)]
        self.products = products
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
