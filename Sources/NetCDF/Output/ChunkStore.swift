import CChunks
import Foundation

/// Writes the data of a netCDF-4 file, defined and closed by netCDF-C, as whole chunks: each chunk is encoded
/// by forecastd through the dataset's own filter pipeline (shuffle, deflate, Fletcher-32, read from the file),
/// many chunks at once on as many threads, and libhdf5 only stores the bytes (H5Dwrite_chunk) under
/// ``NetCDFLibrary``'s lock. The file stays an ordinary netCDF-4 file: every reader decodes it with no plugin.
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

    /// Opens the netCDF-4 file at `path` (closed by netCDF-C) for its data; `shownPath` names it in errors.
    public init(path: String, shownPath: String) throws {
        self.path = shownPath
        file = NetCDFLibrary.serialized { fd_h5_open(path) }
        guard file >= 0 else { throw NetCDFError.library(path: shownPath, operation: "open for chunks", status: -1, message: "libhdf5 error") }
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

    /// Encodes `count` chunks of `bytes` bytes each, chunk `i` starting at `data + i * bytes`, through the
    /// dataset's pipeline on up to `threads` threads, and stores chunk `i` at element offset `offset(i)`.
    public func write(_ dataset: Dataset, chunks data: UnsafeRawPointer, count: Int, bytes: Int, elementSize: Int,
                      threads: Int, offset: (Int) -> [Int]) throws {
        let bound = fd_chunk_bound(bytes)
        let encoded = workspace(bytes: 2 * bound * count)
        let workers = min(max(threads, 1), count)
        nonisolated(unsafe) let sizes = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { sizes.deallocate() }
        nonisolated(unsafe) let pipeline = UnsafeMutablePointer<fd_chunk_pipeline>.allocate(capacity: 1)
        defer { pipeline.deallocate() }
        pipeline.initialize(to: dataset.pipeline)
        nonisolated(unsafe) let (source, target) = (data, encoded)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: count, by: workers) {
                let out = target + 2 * bound * i
                sizes[i] = fd_chunk_encode(pipeline, source + bytes * i, bytes, Int32(elementSize), out, out + bound)
            }
        }
        if let failed = sizes.firstIndex(where: { $0 < 0 }) {
            throw NetCDFError.cannotWrite(path: path, detail: "'\(dataset.name)': chunk \(failed) could not be compressed")
        }
        for i in 0..<count {
            let offsets = offset(i).map { UInt64($0) }
            try check(NetCDFLibrary.serialized { fd_h5_write_chunk(dataset.id, offsets, encoded + 2 * bound * i, sizes[i]) },
                      dataset, "write a chunk of")
        }
    }

    /// Memory for the encoded chunks, kept from one write to the next: a day's variables are the same size every
    /// day, and fresh memory of that size costs the kernel's page zeroing each time.
    private var encodedChunks: (pointer: UnsafeMutableRawPointer, bytes: Int)?

    private func workspace(bytes: Int) -> UnsafeMutableRawPointer {
        if let kept = encodedChunks, kept.bytes >= bytes { return kept.pointer }
        encodedChunks?.pointer.deallocate()
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        encodedChunks = (pointer, bytes)
        return pointer
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

    deinit {
        try? close()
        encodedChunks?.pointer.deallocate()
    }
}
