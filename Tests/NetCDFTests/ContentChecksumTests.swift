import Foundation
import NetCDF
import OceanGrid
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
