import Foundation
@testable import NetCDF
import TestSupport
import Testing

/// The chunk store's datasets and the memory it encodes into, day after day as a forecast uses it.
@Suite("Chunk store: rows of the chunks known, encoding memory reused")
struct ChunkStoreTests {
    /// A file with a four-level field and a surface field, chunked per level and deflated, as forecasts are.
    static func file() throws -> String {
        let path = try Scratch.folder() + "/store.nc"
        let file = try NetCDFFile.create(path)
        let dims = try [("time", nil), ("depth", 4), ("latitude", 90), ("longitude", 180)].map { try file.root.defineDimension($0.0, length: $0.1) }
        let deep = try file.root.defineVariable("deep", type: .float, dimensions: dims)
        try deep.setStorage(chunks: [1, 1, 90, 180], deflateLevel: 1, fill: 1e20)
        let surface = try file.root.defineVariable("surface", type: .float, dimensions: [dims[0], dims[2], dims[3]])
        try surface.setStorage(chunks: [1, 90, 180], deflateLevel: 1, fill: 1e20)
        try file.endDefinitions()
        try file.close()
        return path
    }

    @Test("A dataset's pipeline knows its chunks' row length (the last dimension), where deflate looks for the row above")
    func rows() throws {
        let store = try ChunkStore(path: try Self.file(), shownPath: "store.nc")
        #expect(try store.dataset("deep").pipeline.row == 180)
        #expect(try store.dataset("surface").pipeline.row == 180)
    }

    @Test("Days of a large and a small variable, each day encoded while the previous one is still held for storing: from the third day on nothing is allocated")
    func sparesReused() throws {
        let store = try ChunkStore(path: try Self.file(), shownPath: "store.nc")
        let deep = try store.dataset("deep"), surface = try store.dataset("surface")
        let values = (0..<(4 * 90 * 180)).map { Float($0 % 977) * 0.01 }
        var held: [ChunkStore.EncodedChunks] = [], allocated: [Int] = []
        for day in 0..<5 {
            // The small variable is encoded first and the large one's chunks are given back first: taking the
            // first kept buffer that fits would hand the small variable the large one's, and the large would
            // allocate afresh every day.
            let encoded = try values.withUnsafeBytes { raw in
                let small = try store.encode(surface, chunks: raw.baseAddress!, count: 1, bytes: 90 * 180 * 4, elementSize: 4,
                                             parallel: ChunkStore.serial) { _ in [day, 0, 0] }
                let large = try store.encode(deep, chunks: raw.baseAddress!, count: 4, bytes: 90 * 180 * 4, elementSize: 4,
                                             parallel: ChunkStore.serial) { [day, $0, 0, 0] }
                return [large, small]
            }
            held = encoded  // the previous day's chunks are given back once stored, after this day's are encoded
            allocated.append(store.buffersAllocated)
        }
        #expect(!held.isEmpty)
        #expect(allocated == [2, 4, 4, 4, 4], "buffers allocated after each day: \(allocated)")
    }
}
