import Foundation
import NetCDF
import OceanGrid
import TestSupport
import Testing

/// The probe's whole read (``CFDataset/readEverything(_:)``): chunk by chunk, every chunk once, edge chunks
/// included.
@Suite("Whole read of a file, chunk by chunk")
struct WholeReadTests {
    /// A value written once, in the last (edge) chunk of `field`, to find its bytes in the file.
    static let marker: Float = 12345.678

    /// A file with a chunked float variable whose chunks do not divide its shape (Fletcher-32, no compression,
    /// so the marker's bytes lie in the file as written), a contiguous short variable, a scalar and a variable
    /// along an empty unlimited dimension.
    static func write(_ path: String) throws {
        let file = try NetCDFFile.create(path)
        let t = try file.root.defineDimension("t", length: 3), y = try file.root.defineDimension("y", length: 10)
        let x = try file.root.defineDimension("x", length: 7), record = try file.root.defineDimension("record", length: nil)
        let field = try file.root.defineVariable("field", type: .float, dimensions: [t, y, x])
        try field.setStorage(chunks: [2, 4, 5], deflateLevel: 0, checksum: true, fill: nil)
        let counts = try file.root.defineVariable("counts", type: .short, dimensions: [y, x])
        let scalar = try file.root.defineVariable("scalar", type: .double, dimensions: [])
        _ = try file.root.defineVariable("empty", type: .float, dimensions: [record, x])
        try file.endDefinitions()
        var values = (0..<210).map { Float($0) * 0.25 }
        values[209] = marker
        try values.withUnsafeBufferPointer { try field.write($0, start: [0, 0, 0], count: [3, 10, 7]) }
        try counts.write((0..<70).map { Int16($0) }, start: [0, 0], count: [10, 7])
        try scalar.write([2.5], start: [], count: [])
        try file.close()
    }

    @Test("Edge chunks, contiguous, scalar and empty variables read; chunk sizes as defined; a damaged last chunk is refused")
    func everyChunk() throws {
        let folder = try Scratch.folder()
        let path = folder + "/chunks.nc"
        try Self.write(path)
        let file = try NetCDFFile.open(path)
        #expect(try file.root.variable("field").chunkSizes() == [2, 4, 5])
        #expect(try file.root.variable("counts").chunkSizes() == nil)
        #expect(try file.root.variable("scalar").chunkSizes() == nil)
        try file.close()
        try CFDataset.readEverything(path)

        // The marker lies in the chunk at (2, 8, 5), the last one read: flip a byte of it and the read fails.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let pattern = withUnsafeBytes(of: Self.marker.bitPattern.littleEndian) { Data($0) }
        let at = try #require(bytes.range(of: pattern)).lowerBound
        #expect(bytes.range(of: pattern, in: (at + 1)..<bytes.count) == nil)
        bytes[at] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: NetCDFError.self) { try CFDataset.readEverything(path) }
    }
}
