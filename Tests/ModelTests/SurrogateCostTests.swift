import OceanGrid
import OceanStepper
import Surrogate
import Testing

@Suite("FLOPs per forecast step")
struct SurrogateCostTests {
    @Test("The count for a two-stage config equals the layer-by-layer sum written out by hand")
    func handCount() {
        // 100x230 grid, patch 8, window 7, two stages: padded to a multiple of 2*8*7*2 = 224 -> 224x448.
        let c = SurrogateConfiguration(grid: .init(height: 100, width: 230), stateChannels: 4, fluxChannels: 3,
                                       patchSize: 8, embedDim: 32, depths: [3, 2], numHeads: [2, 2], windowSize: 7,
                                       groupNormGroups: 8)
        let cost = SurrogateCost(c, height: 100, width: 230)
        #expect(cost.paddedHeight == 224 && cost.paddedWidth == 448)
        let patches = 28.0 * 56, tokens = 14.0 * 28, deep = 7.0 * 14
        let embed = 2 * patches * (7 * 64) * 32
        let down = 2 * 3 * 2 * tokens * (9 * 32) * 32   // two branches x three convs, 2 FLOPs per multiply-add
        func block(_ t: Double, _ d: Double) -> Double { 2 * t * (3 * d * d + d * d + 2 * d * 4 * d) }
        let linear = 2 * 3 * block(tokens, 32) + 2 * block(deep, 64)   // stage 0 twice (encoder + decoder)
        let attention = 2 * 3 * 2 * tokens * 49 * 32 * 2 + 2 * 2 * deep * 49 * 64 * 2
        let resampling = 2 * deep * 128 * 64 + 2 * deep * 64 * 128
        let up = 2 * tokens * 32 * 128 + 2 * 2 * patches * (9 * 32) * 32
        let head = 2 * patches * 32 * (4 * 64)
        #expect(cost.parts.map(\.name) == ["patch embedding", "down blocks", "Swin linear layers", "window attention",
                                           "patch merging and expanding", "up block", "output head"])
        #expect(cost.parts.map(\.flops) == [embed, down, linear, attention, resampling, up, head])
        #expect(cost.tokensPerStage == [392, 98])
        // The matrix products: every part's FLOPs but the attention's own, shape by shape.
        #expect(cost.products.reduce(0) { $0 + $1.flops } == embed + down + linear + resampling + up + head)
        let shapes = Dictionary(uniqueKeysWithValues: cost.products.map { ($0.name, [$0.m, $0.k, $0.n, $0.count]) })
        #expect(cost.products.first?.name == "state patch embedding" && shapes["state patch embedding"] == [1568, 4 * 64, 32, 1])
        #expect(shapes["stage 1 fc1"] == [98, 64, 256, 2])
        #expect(shapes["down conv3x3"] == [392, 288, 32, 4])
    }
}
