import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What is wrong with a safetensors file: the file, the tensor where there is one, and the problem.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    /// The file cannot be opened or mapped.
    case unreadable(path: String, detail: String)
    /// The header is not valid safetensors.
    case malformed(path: String, detail: String)
    /// One tensor's entry is inconsistent, absent, of an unsupported type, or holds non-finite values.
    case tensor(path: String, name: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let detail): "\(path): cannot read: \(detail)"
        case .malformed(let path, let detail): "\(path): not a valid safetensors file: \(detail)"
        case .tensor(let path, let name, let detail): "\(path): tensor '\(name)': \(detail)"
        }
    }
}

/// A memory-mapped safetensors file (Hugging Face format: 8-byte little-endian header length, a JSON header
/// of `name: {dtype, shape, data_offsets}` plus optional `__metadata__`, then the data). Every entry is
/// checked when the file is opened: known dtype, non-negative shape, offsets inside the data and matching the
/// shape, no two tensors overlapping. F32 tensors are views of the mapping (copy-on-write, never copied);
/// F16, BF16, F64 and U8 are converted to Float32 when asked for.
public final class SafeTensorsFile: @unchecked Sendable {
    /// One tensor's entry in the header.
    public struct Entry: Sendable, Equatable {
        /// "F32", "F16", "BF16", "F64" or "U8" (masks).
        public let dtype: String
        /// Shape.
        public let shape: [Int]
        /// Byte range within the data section.
        public let byteRange: Range<Int>
    }

    /// Path as given.
    public let path: String
    /// Entries by tensor name.
    public let entries: [String: Entry]
    /// The `__metadata__` strings.
    public let metadata: [String: String]
    private let base: UnsafeMutableRawPointer
    private let mappedBytes: Int
    private let dataStart: Int

    static let itemSizes = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "U8": 1]
    /// Largest header accepted (the format's own limit is 100 MB).
    static let maximumHeader = 100_000_000

    /// Maps and validates `path`.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SafeTensorsError.unreadable(path: path, detail: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafeTensorsError.unreadable(path: path, detail: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        guard size >= 8 else { throw SafeTensorsError.malformed(path: path, detail: "\(size) bytes, shorter than the 8-byte header length") }
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw SafeTensorsError.unreadable(path: path, detail: "mmap: \(String(cString: strerror(errno)))")
        }
        base = mapped
        mappedBytes = size
        do {
            let headerLength = Int(UInt64(littleEndian: mapped.loadUnaligned(as: UInt64.self)) & 0x7FFF_FFFF_FFFF_FFFF)
            guard headerLength <= Self.maximumHeader, headerLength <= size - 8 else {
                throw SafeTensorsError.malformed(path: path, detail: "header length \(headerLength) does not fit in \(size) bytes")
            }
            dataStart = 8 + headerLength
            let header = Data(bytes: mapped + 8, count: headerLength)
            guard let json = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
                throw SafeTensorsError.malformed(path: path, detail: "the header is not a JSON object")
            }
            (entries, metadata) = try Self.parse(json, path: path, dataBytes: size - dataStart)
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    private static func parse(_ json: [String: Any], path: String, dataBytes: Int) throws -> ([String: Entry], [String: String]) {
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in json {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else {
                    throw SafeTensorsError.malformed(path: path, detail: "__metadata__ is not a map of strings")
                }
                metadata = m
                continue
            }
            func bad(_ detail: String) -> SafeTensorsError { .tensor(path: path, name: name, detail: detail) }
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shapeValues = fields["shape"] as? [Any], let offsetValues = fields["data_offsets"] as? [Any] else {
                throw bad("entry needs dtype, shape and data_offsets")
            }
            let shape = shapeValues.compactMap { ($0 as? NSNumber)?.intValue }
            let offsets = offsetValues.compactMap { ($0 as? NSNumber)?.intValue }
            guard let itemSize = itemSizes[dtype] else { throw bad("dtype \(dtype) is not one of F32, F16, BF16, F64") }
            guard shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 }) else { throw bad("shape \(shapeValues) is not a list of sizes") }
            guard shape.count <= Dimensions.maximumRank else { throw bad("shape \(shape) has more than \(Dimensions.maximumRank) dimensions") }
            guard offsets.count == 2, offsets.count == offsetValues.count, offsets[0] >= 0, offsets[0] <= offsets[1],
                  offsets[1] <= dataBytes else {
                throw bad("data_offsets \(offsetValues) outside the \(dataBytes) data bytes")
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, n in
                let (p, o) = acc.0.multipliedReportingOverflow(by: n)
                return (p, acc.1 || o)
            }
            let (bytes, bytesOverflow) = count.multipliedReportingOverflow(by: itemSize)
            guard !overflow, !bytesOverflow, offsets[1] - offsets[0] == bytes else {
                throw bad("\(offsets[1] - offsets[0]) bytes for shape \(shape) of \(dtype)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
        }
        let sorted = entries.sorted { $0.value.byteRange.lowerBound < $1.value.byteRange.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.value.byteRange.lowerBound < a.value.byteRange.upperBound {
            throw SafeTensorsError.malformed(path: path, detail: "tensors '\(a.key)' and '\(b.key)' overlap")
        }
        return (entries, metadata)
    }

    /// The tensor `name` as Float32: a view of the mapping for aligned F32 data, else a converted copy.
    /// With `requireFinite`, NaN or infinite values are an error naming the tensor.
    public func tensor(_ name: String, requireFinite: Bool = true) throws -> Tensor {
        guard let entry = entries[name] else {
            throw SafeTensorsError.tensor(path: path, name: name, detail: "not in the file")
        }
        let shape = Dimensions(entry.shape)
        let source = base + dataStart + entry.byteRange.lowerBound
        let count = shape.product
        let tensor: Tensor
        if entry.dtype == "F32" && Int(bitPattern: source) % MemoryLayout<Float>.alignment == 0 {
            tensor = Tensor(storage: TensorStorage(borrowing: source.assumingMemoryBound(to: Float.self), count: count, owner: self),
                            shape: shape)
        } else {
            tensor = Tensor(zeros: shape)
            let out = tensor.pointer
            for i in 0..<count {
                switch entry.dtype {
                case "F32": out[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                case "F64": out[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                case "F16": out[i] = Float(Float16(bitPattern: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
                case "U8": out[i] = Float(source.load(fromByteOffset: i, as: UInt8.self))
                default: out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
                }
            }
        }
        if requireFinite, let bad = (0..<count).first(where: { !tensor.pointer[$0].isFinite }) {
            throw SafeTensorsError.tensor(path: path, name: name, detail: "element \(bad) is \(tensor.pointer[bad]) (weights must be finite)")
        }
        return tensor
    }

    /// The bytes of the U8 tensor `name`, a view of the mapping valid while this file lives (a mask of a billion
    /// cells stays a billion bytes of file pages instead of becoming four billion of Float32).
    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let entry = entries[name] else {
            throw SafeTensorsError.tensor(path: path, name: name, detail: "not in the file")
        }
        guard entry.dtype == "U8" else {
            throw SafeTensorsError.tensor(path: path, name: name, detail: "is \(entry.dtype), expected U8")
        }
        return UnsafeRawBufferPointer(start: base + dataStart + entry.byteRange.lowerBound, count: entry.byteRange.count)
    }

    deinit { munmap(base, mappedBytes) }
}
