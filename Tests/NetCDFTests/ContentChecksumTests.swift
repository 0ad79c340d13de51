import Foundation
import NetCDF
import OceanGrid
import Tensor
import TestSupport
import Testing

@Suite("Content checksums: eight chains, the single chain of older files, streaming in any slabs")
struct ContentChecksumTests {
    /// FNV-1a over 64-bit words, written out here as the format defines it.
    static func fnv(_ words: [UInt64]) -> UInt64 {
        words.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ $1) &* 0x0000_0100_0000_01B3 }
    }

    @Test("Eight chains: value i feeds chain i mod 8, the chains folded by FNV-1a; floats added in any slabs give the same text")
    func eightChains() {
        var generator = SystemRandomNumberGenerator()
        var values = (0..<1_003).map { _ in Float.random(in: -50...50, using: &generator) }
        values[17] = .nan
        values[500] = 1e20
        let words = values.map { Double($0).bitPattern }
        let chains = (0..<8).map { k in Self.fnv(stride(from: k, to: words.count, by: 8).map { words[$0] }) }
        let expected = String(format: "fnv1a64w8:%016llx", Self.fnv(chains))
        var whole = ContentChecksum()
        whole.add(values.lazy.map(Double.init))
        #expect(whole.text == expected)
        for _ in 0..<20 {
            var cuts = (0..<4).map { _ in Int.random(in: 0...values.count, using: &generator) }.sorted()
            cuts = [0] + cuts + [values.count]
            var sliced = ContentChecksum()
            values.withUnsafeBufferPointer { all in
                for (from, to) in zip(cuts, cuts.dropFirst()) { sliced.add(floats: UnsafeBufferPointer(rebasing: all[from..<to])) }
            }
            #expect(sliced.text == expected, "cut at \(cuts)")
        }
    }

    @Test("Floats added as stored (fill value for NaN, BitRound) give the checksum of the stored copy, whatever the length")
    func storedOnTheWay() {
        var random = SplitMix64(state: 9)
        for (count, bits) in [(1, 23), (7, 10), (4096, 23), (4097, 7), (10_001, 12)] {
            let values = (0..<count).map { i -> Float in
                i % 13 == 0 ? .nan : i % 29 == 0 ? .infinity : Float(random.next() % 100_000) / 997 - 50
            }
            let stored = StoredFloats(fill: ForecastLayout.floatFill, keeping: bits)
            var copy = values
            values.withUnsafeBufferPointer { source in copy.withUnsafeMutableBufferPointer { stored.store(source, into: $0.baseAddress!) } }
            #expect(copy.allSatisfy { !$0.isNaN } && copy.contains(ForecastLayout.floatFill))
            var expected = ContentChecksum(), streamed = ContentChecksum()
            copy.withUnsafeBufferPointer { expected.add(floats: $0) }
            values.withUnsafeBufferPointer { streamed.add(floats: $0, storedAs: stored) }
            #expect(streamed == expected, "\(count) values, \(bits) bits")
        }
    }

    @Test("The single chain keeps the text older files carry; an attribute names its form, an unknown form is none")
    func forms() {
        var single = ContentChecksum(.single)
        single.add([1.5, -2, 0])
        #expect(single.text == String(format: "fnv1a64w:%016llx", Self.fnv([1.5, -2, 0].map { Double($0).bitPattern })))
        #expect(ContentChecksum(formOf: single.text)?.form == .single)
        #expect(ContentChecksum(formOf: "fnv1a64w8:0123456789abcdef")?.form == .eightChains)
        #expect(ContentChecksum(formOf: "sha256:00") == nil)
    }

    @Test("A file with a single-chain checksum (written before eight chains) still verifies")
    func olderFiles() throws {
        let fixture = Scratch.repository + "/Tests/ModelTests/Fixtures/forecast-reference.nc"
        let dataset = try CFDataset(path: fixture)
        let thetao = try dataset.variable("thetao")
        #expect(try thetao.attributes()[ContentChecksum.attribute]?.text?.hasPrefix("fnv1a64w:") == true)
        #expect(try dataset.forEachSlab(of: thetao, checksum: .report) { _ in } == true)
    }
}
