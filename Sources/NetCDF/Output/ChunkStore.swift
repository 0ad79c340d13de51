import CChunks
import Foundation

/// Writes the data of a netCDF-4 file, defined and closed by netCDF-C, as whole chunks: each chunk is encoded
/// by forecastd through the dataset's own filter pipeline (shuffle, deflate, Fletcher-32, read from the file),
/// many chunks at once on as many threads, and libhdf5 only stores the bytes (H5Dwrite_chunk) under
/// ``NetCDFLibrary``'s lock. The file stays an ordinary netCDF-4 file: every reader decodes it with no plugin.
/// What has been stored is written behind (``fd_write_behind``): on disk and out of the page cache one step of
/// 32 MiB after it was stored, so that a forecast's gigabytes of output cost no growing page cache.
///
/// `@unchecked Sendable` is not claimed: one writer thread uses a store.
public final class ChunkStore {
    /// One dataset opened for writing.
    public struct Dataset {
        let id: Int64
        let pipeline: fd_chunk_pipeline
        /// The variable's name.
        public let name: String
    }

    /// The file as named to the user (messages name it, not a temporary).
    let path: String
    private var file: Int64
    private var datasets: [Dataset] = []
    /// The descriptor libhdf5 writes through (-1: none to write behind) and the write-behind marks.
    private let descriptor: Int32
    private var writtenBehind: (Int64, Int64) = (0, 0)

    /// Opens the netCDF-4 file at `path` (closed by netCDF-C) for its data; `shownPath` names it in errors.
    public init(path: String, shownPath: String) throws {
        self.path = shownPath
        let file = NetCDFLibrary.serialized { fd_h5_open(path) }
        guard file >= 0 else { throw NetCDFError.library(path: shownPath, operation: "open for chunks", status: -1, message: "libhdf5 error") }
        self.file = file
        descriptor = NetCDFLibrary.serialized { fd_h5_descriptor(file) }
    }

    /// The dataset of variable `name`; its filters must be among shuffle, deflate and Fletcher-32.
    public func dataset(_ name: String) throws -> Dataset {
        var pipeline = fd_chunk_pipeline()
        let id = NetCDFLibrary.serialized { fd_h5_dataset(file, name, &pipeline) }
        guard id >= 0 else {
            throw NetCDFError.cannotWrite(path: path, detail: "'\(name)': no dataset with only shuffle, deflate and Fletcher-32 filters")
        }
        let dataset = Dataset(id: id, pipeline: pipeline, name: name)
        datasets.append(dataset)
        return dataset
    }

    /// Grows the dataset's unlimited first dimension to `length`.
    public func extend(_ dataset: Dataset, to length: Int) throws {
        try check(NetCDFLibrary.serialized { fd_h5_extend(dataset.id, length) }, dataset, "extend")
    }

    /// Writes `value` at `index` of a one-dimensional dataset (converted to its type).
    public func write(_ value: Double, at index: Int, of dataset: Dataset) throws {
        try check(NetCDFLibrary.serialized { fd_h5_write_element(dataset.id, index, value) }, dataset, "write")
    }

    /// How a caller runs `count` independent tasks, at once where it can: `body(i)` for every i in 0..<count.
    public typealias ParallelTasks = (_ count: Int, _ body: (Int) -> Void) -> Void

    /// Tasks one after another on the calling thread.
    public static var serial: ParallelTasks { { count, body in for i in 0..<count { body(i) } } }

    /// Tasks on up to `threads` threads of Dispatch's own.
    public static func concurrent(threads: Int) -> ParallelTasks {
        { count, body in
            let workers = min(max(threads, 1), count)
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: count, by: workers) { body(i) }
            }
        }
    }

    /// Chunks of one dataset encoded and waiting for ``store(_:)``: the memory returns to the store's spares when
    /// they are dropped. `@unchecked Sendable`: made on one thread, then handed whole to the one that stores them.
    public final class EncodedChunks: @unchecked Sendable {
        /// The dataset they belong to.
        public let dataset: Dataset
        let memory: UnsafeMutableRawPointer
        let capacity: Int
        let bound: Int
        let sizes: [Int]
        let offsets: [[Int]]
        private let spares: Spares

        fileprivate init(dataset: Dataset, memory: UnsafeMutableRawPointer, capacity: Int, bound: Int, sizes: [Int],
                         offsets: [[Int]], spares: Spares) {
            (self.dataset, self.memory, self.capacity, self.bound, self.sizes) = (dataset, memory, capacity, bound, sizes)
            (self.offsets, self.spares) = (offsets, spares)
        }

        deinit { spares.give(memory, bytes: capacity) }
    }

    /// Encodes `count` chunks of `bytes` bytes each, chunk `i` starting at `data + i * bytes`, through the
    /// dataset's pipeline, the chunks as `parallel` runs them, for storing at element offset `offset(i)`; float32
    /// chunks (`elementSize` 4) are stored as `floats` says on their way in when it is given, and `data` is left
    /// as it is. Needs no lock: this runs beside the storing of earlier chunks.
    public func encode(_ dataset: Dataset, chunks data: UnsafeRawPointer, count: Int, bytes: Int, elementSize: Int,
                       parallel: ParallelTasks, storing floats: StoredFloats? = nil, offset: (Int) -> [Int]) throws -> EncodedChunks {
        precondition(floats == nil || elementSize == 4, "stored floats in chunks of \(elementSize)-byte elements")
        let bound = fd_chunk_bound(bytes)
        let (memory, capacity) = spares.take(bytes: bound * count)
        nonisolated(unsafe) let sizes = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { sizes.deallocate() }
        var pipeline = dataset.pipeline
        var store = floats?.rule ?? fd_float_store()
        withUnsafePointer(to: &pipeline) { pipeline in
            withUnsafePointer(to: &store) { store in
                parallel(count) { i in
                    let chunk = data + bytes * i, out = memory + bound * i
                    sizes[i] = floats == nil ? fd_chunk_encode(pipeline, chunk, bytes, Int32(elementSize), out, nil)
                        : fd_chunk_encode_floats(pipeline, chunk.assumingMemoryBound(to: Float.self), bytes / 4, store, out, nil)
                }
            }
        }
        let encoded = EncodedChunks(dataset: dataset, memory: memory, capacity: capacity, bound: bound, sizes: Array(sizes),
                                    offsets: (0..<count).map(offset), spares: spares)
        if let failed = encoded.sizes.firstIndex(where: { $0 < 0 }) {
            throw NetCDFError.cannotWrite(path: path, detail: "'\(dataset.name)': chunk \(failed) could not be compressed")
        }
        return encoded
    }

    /// Stores chunks ``encode(_:chunks:count:bytes:elementSize:parallel:storing:offset:)`` made, under the library's lock.
    public func store(_ chunks: EncodedChunks) throws {
        for i in chunks.sizes.indices {
            let offsets = chunks.offsets[i].map { UInt64($0) }, start = chunks.memory + chunks.bound * i, size = chunks.sizes[i]
            try check(NetCDFLibrary.serialized { fd_h5_write_chunk(chunks.dataset.id, offsets, start, size) },
                      chunks.dataset, "write a chunk of")
        }
        // Outside the library's lock: this may wait for the disk.
        let status = withUnsafeMutableBytes(of: &writtenBehind) { fd_write_behind(descriptor, $0.baseAddress!.assumingMemoryBound(to: Int64.self)) }
        guard status == 0 else {
            throw NetCDFError.library(path: path, operation: "write back", status: status, message: String(cString: strerror(errno)))
        }
    }

    /// Memory for encoded chunks, kept for the next day's: a day's variables are the same size every day, and
    /// fresh memory of that size costs the kernel's page zeroing each time.
    private let spares = Spares()

    /// Buffers allocated for encoded chunks so far (the rest were spares taken again).
    var buffersAllocated: Int { spares.allocated }

    /// Buffers given back by dropped ``EncodedChunks``, taken again by later encodings (from any thread).
    fileprivate final class Spares: @unchecked Sendable {
        private let lock = NSLock()
        private var kept: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
        private var allocations = 0

        /// Buffers allocated so far.
        var allocated: Int { lock.withLock { allocations } }

        /// A buffer of at least `bytes` bytes, and its size: the smallest kept one that fits, so that a small
        /// variable never takes the buffer a large one then has to allocate afresh.
        func take(bytes: Int) -> (UnsafeMutableRawPointer, Int) {
            if let found = lock.withLock({ () -> (UnsafeMutableRawPointer, Int)? in
                guard let i = kept.indices.filter({ kept[$0].bytes >= bytes }).min(by: { kept[$0].bytes < kept[$1].bytes }) else { return nil }
                return kept.remove(at: i)
            }) { return found }
            lock.withLock { allocations += 1 }
            return (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), bytes)
        }

        func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) { lock.withLock { kept.append((pointer, bytes)) } }

        deinit { for buffer in kept { buffer.pointer.deallocate() } }
    }

    /// Closes every dataset and the file; throws if libhdf5 could not flush it (a full disk). Errors are
    /// ``NetCDFError/library(path:operation:status:message:)`` naming the operation, as netCDF-C's are.
    public func close() throws {
        guard file >= 0 else { return }
        let status: Int32 = NetCDFLibrary.serialized {
            var status: Int32 = 0
            for dataset in datasets where fd_h5_dataset_close(dataset.id) < 0 { status = -1 }
            if fd_h5_close(file) < 0 { status = -1 }
            return status
        }
        file = -1
        datasets = []
        guard status >= 0 else { throw NetCDFError.library(path: path, operation: "close", status: -1, message: "libhdf5 error") }
    }

    private func check(_ status: Int32, _ dataset: Dataset, _ operation: String) throws {
        guard status >= 0 else {
            throw NetCDFError.library(path: path, operation: "\(operation) '\(dataset.name)'", status: -1, message: "libhdf5 error")
        }
    }

    deinit { try? close() }
}
