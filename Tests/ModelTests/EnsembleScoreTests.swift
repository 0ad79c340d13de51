import Foundation
import OceanGrid
import Testing

/// CRPS, spread and rank histograms of ``EnsembleSums`` against their definitions computed directly.
@Suite("Ensemble scores")
struct EnsembleScoreTests {
    @Test("CRPS as E|X - y| - E|X - X'| / 2 over all member pairs, spread with N - 1, ranks, cos-latitude weights")
    func definitions() {
        var generator = SystemRandomNumberGenerator()
        let width = 7, height = 5, n = 6
        let latitudes = (0..<height).map { Double($0) * 15 - 30 }
        let truth = (0..<(width * height)).map { i in i == 3 ? Float.nan : Float.random(in: -1...1, using: &generator) }
        let members = (0..<n).map { _ in truth.map { $0 + Float.random(in: -0.8...0.8, using: &generator) } }
        let score = EnsembleSums(members: members, truth: truth, latitudes: latitudes, width: width)
            .score(ensemble: "e", variable: "v", depth: nil, lead: 1, date: "")
        var weight = 0.0, crps = 0.0, variance = 0.0, squared = 0.0, ranks = [Int](repeating: 0, count: n + 1)
        for i in truth.indices where !truth[i].isNaN {
            let w = cos(latitudes[i / width] * .pi / 180), x = members.map { Double($0[i]) }, t = Double(truth[i])
            var pairs = 0.0
            for a in x { for b in x { pairs += abs(a - b) } }
            let mean = x.reduce(0, +) / Double(n)
            weight += w
            crps += w * (x.map { abs($0 - t) }.reduce(0, +) / Double(n) - pairs / Double(2 * n * n))
            variance += w * x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
            squared += w * (mean - t) * (mean - t)
            ranks[x.filter { $0 < t }.count] += 1
        }
        #expect(abs(score.crps - crps / weight) < 1e-12)
        #expect(abs(score.spread - (variance / weight).squareRoot()) < 1e-12)
        #expect(abs(score.meanRMSE - (squared / weight).squareRoot()) < 1e-12)
        #expect(abs(score.spreadSkill - score.spread / score.meanRMSE * (Double(n + 1) / Double(n)).squareRoot()) < 1e-12)
        #expect(score.rankHistogram == ranks && ranks.reduce(0, +) == width * height - 1)
    }

    @Test("Members all equal to the truth: CRPS 0, no spread; a member missing at a cell leaves the cell out")
    func perfect() {
        let truth: [Float] = [1, 2, 3, 4]
        var members = [truth, truth, truth]
        members[1][2] = .nan
        let score = EnsembleSums(members: members, truth: truth, latitudes: [], width: 4)
            .score(ensemble: "e", variable: "v", depth: nil, lead: 1, date: "")
        #expect(score.crps == 0 && score.spread == 0 && score.meanRMSE == 0)
        #expect(score.rankHistogram.reduce(0, +) == 3)
    }
}
