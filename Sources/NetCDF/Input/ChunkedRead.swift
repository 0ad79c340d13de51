import CChunks
import Foundation

/// Reads a hyperslab of a netCDF-4 variable chunk by chunk, the way ``ChunkStore`` writes one: libhdf5 only reads
/// each chunk's stored bytes (H5Dread_chunk, under ``NetCDFLibrary``'s lock), and the chunks are decoded many at
/// once (Fletcher-32 checked, inflated by libdeflate, unshuffled) with the slab's values CF-decoded straight into
/// the output, where netCDF-C inflates chunk after chunk with zlib on one thread and converts every value twice.
/// The values are those netCDF-C's read gives, bit for bit.
///
/// It applies where the file allows it: a netCDF-4 file, the variable chunked, little-endian float, double, short
/// or int, filtered by shuffle, deflate and Fletcher-32 only, every chunk of the slab written. Anything else, and a
/// chunk that does not decode, leaves the read to netCDF-C, which reports a damaged chunk as it always has.
enum ChunkedRead {
    /// Stored bytes read before the batch is decoded: memory stays bounded whatever the slab's size.
    static let batchBytes = 64 << 20

    /// Reads `start`/`count` of `variable` into `output` (values decoded by `packing`), the chunks as `parallel`
    /// runs them; false when the file or the variable cannot be read by chunks (`output` is then to be filled
    /// another way).
    static func read(_ variable: Variable, start: [Int], count: [Int], packing: CFPacking,
                     into output: UnsafeMutableBufferPointer<Float>, parallel: ChunkStore.ParallelTasks) -> Bool {
        guard let format = try? variable.group.file.format(), format.hasPrefix("netCDF-4") else { return false }
        let file = NetCDFLibrary.serialized { fd_h5_open_read(variable.path) }
        guard file >= 0 else { return false }
        defer { _ = NetCDFLibrary.serialized { fd_h5_close(file) } }
        var pipeline = fd_chunk_pipeline(), layout = fd_chunk_layout()
        let dataset = NetCDFLibrary.serialized { fd_h5_dataset_chunks(file, variable.name, &pipeline, &layout) }
        guard dataset >= 0 else { return false }
        defer { _ = NetCDFLibrary.serialized { fd_h5_dataset_close(dataset) } }
        let rank = Int(layout.rank)
        let dims = withUnsafeBytes(of: layout.dims) { Array($0.bindMemory(to: UInt64.self).prefix(rank)).map { Int($0) } }
        let chunk = withUnsafeBytes(of: layout.chunk) { Array($0.bindMemory(to: UInt64.self).prefix(rank)).map { Int($0) } }
        guard dims == variable.shape, count.count == rank, start.count == rank, chunk.allSatisfy({ $0 > 0 }),
              (0..<rank).allSatisfy({ start[$0] >= 0 && count[$0] >= 0 && start[$0] + count[$0] <= dims[$0] }) else { return false }
        if count.contains(0) { return true }
        let slab = Slab(start: start, count: count, chunk: chunk, type: layout.type, elementSize: Int(layout.element_size))
        let origins = slab.chunkOrigins()
        let perBatch = max(1, batchBytes / (slab.chunkElements * slab.elementSize))
        var arena = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 64)
        defer { arena.deallocate() }
        for first in stride(from: 0, to: origins.count, by: perBatch) {
            let batch = Array(origins[first..<min(first + perBatch, origins.count)])
            guard let stored = readStored(batch, dataset: dataset, arena: &arena) else { return false }
            nonisolated(unsafe) let decoded = UnsafeMutableBufferPointer<Bool>.allocate(capacity: batch.count)
            defer { decoded.deallocate() }
            withUnsafePointer(to: &pipeline) { pipeline in
                nonisolated(unsafe) let pipeline = pipeline
                parallel(batch.count) { i in
                    decoded[i] = slab.decode(stored[i], at: batch[i], pipeline: pipeline, packing: packing, into: output)
                }
            }
            guard decoded.allSatisfy({ $0 }) else { return false }
        }
        return true
    }

    /// One chunk as the file stores it.
    struct StoredChunk: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
        let mask: UInt32
    }

    /// The stored bytes of the chunks at `origins`, read one after another under the library's lock into `arena`
    /// (grown as needed; kept for the next batch); nil when one was never written (its values are the fill value,
    /// which netCDF-C supplies) or cannot be read.
    private static func readStored(_ origins: [[Int]], dataset: Int64, arena: inout UnsafeMutableRawBufferPointer) -> [StoredChunk]? {
        var sizes: [Int] = []
        for origin in origins {
            let size = NetCDFLibrary.serialized { fd_h5_chunk_size(dataset, origin.map { UInt64($0) }) }
            guard size > 0 else { return nil }
            sizes.append(size)
        }
        let total = sizes.reduce(0) { $0 + ($1 + 63) / 64 * 64 }
        if arena.count < total {
            arena.deallocate()
            arena = .allocate(byteCount: total, alignment: 64)
        }
        var stored: [StoredChunk] = [], at = 0
        for (origin, size) in zip(origins, sizes) {
            var mask: UInt32 = 0
            let bytes = UnsafeRawBufferPointer(rebasing: arena[at..<(at + size)])
            guard NetCDFLibrary.serialized({ fd_h5_read_chunk(dataset, origin.map { UInt64($0) }, &mask, arena.baseAddress! + at) }) >= 0 else {
                return nil
            }
            stored.append(StoredChunk(bytes: bytes, mask: mask))
            at += (size + 63) / 64 * 64
        }
        return stored
    }

    /// A hyperslab and the chunks it crosses.
    struct Slab: Sendable {
        let start: [Int], count: [Int], chunk: [Int]
        /// fd_chunk_layout's type: 1 float, 2 double, 3 short, 4 int.
        let type: Int32
        let elementSize: Int
        var chunkElements: Int { chunk.reduce(1, *) }

        /// The element offsets of every chunk the slab crosses, in row-major order.
        func chunkOrigins() -> [[Int]] {
            var origins: [[Int]] = [[]]
            for d in chunk.indices {
                let first = start[d] / chunk[d], last = (start[d] + count[d] - 1) / chunk[d]
                origins = origins.flatMap { prefix in (first...last).map { prefix + [$0 * chunk[d]] } }
            }
            return origins
        }

        /// Decodes the chunk at `origin` and copies its part of the slab into `output`; false if it does not decode.
        func decode(_ stored: StoredChunk, at origin: [Int], pipeline: UnsafePointer<fd_chunk_pipeline>, packing: CFPacking,
                    into output: UnsafeMutableBufferPointer<Float>) -> Bool {
            guard let values = fd_chunk_decode(pipeline, stored.mask, stored.bytes.baseAddress, stored.bytes.count, Int32(elementSize),
                                               chunkElements * elementSize) else { return false }
            // The part of the slab inside this chunk, a row (along the last dimension) at a time.
            let rank = chunk.count
            let low = (0..<rank).map { max(start[$0], origin[$0]) }
            let high = (0..<rank).map { min(start[$0] + count[$0], origin[$0] + chunk[$0]) }
            var chunkStride = [Int](repeating: 1, count: rank), slabStride = [Int](repeating: 1, count: rank)
            for d in stride(from: rank - 2, through: 0, by: -1) {
                chunkStride[d] = chunkStride[d + 1] * chunk[d + 1]
                slabStride[d] = slabStride[d + 1] * count[d + 1]
            }
            let rowLength = high[rank - 1] - low[rank - 1]
            var index = low
            while true {
                let from = (0..<rank).reduce(0) { $0 + (index[$1] - origin[$1]) * chunkStride[$1] }
                let to = (0..<rank).reduce(0) { $0 + (index[$1] - start[$1]) * slabStride[$1] }
                copyRow(values, from: from, to: output.baseAddress! + to, count: rowLength, packing: packing)
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    if index[d] < high[d] { break }
                    index[d] = low[d]
                    d -= 1
                }
                if d < 0 { break }
            }
            return true
        }

        /// `count` stored values from element `from` of `values`, CF-decoded as netCDF-C's Float64 read and
        /// ``CFPacking/decode(_:into:)`` would.
        private func copyRow(_ values: UnsafeRawPointer, from: Int, to output: UnsafeMutablePointer<Float>, count: Int,
                             packing: CFPacking) {
            switch type {
            case 1:
                let row = values.assumingMemoryBound(to: Float.self) + from
                packing.decode(count: count, into: output) { Double(row[$0]) }
            case 2:
                let row = values.assumingMemoryBound(to: Double.self) + from
                packing.decode(count: count, into: output) { row[$0] }
            case 3:
                let row = values.assumingMemoryBound(to: Int16.self) + from
                packing.decode(count: count, into: output) { Double(row[$0]) }
            default:
                let row = values.assumingMemoryBound(to: Int32.self) + from
                packing.decode(count: count, into: output) { Double(row[$0]) }
            }
        }
    }
}
