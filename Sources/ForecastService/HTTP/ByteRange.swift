import Foundation

/// A single byte range of an HTTP `Range` header (`bytes=FIRST-LAST`, `bytes=FIRST-`, `bytes=-SUFFIX`),
/// resolved against the size of the file. Multiple ranges are not served (the whole file is, as RFC 9110 allows).
enum ByteRange {
    /// The whole file.
    case whole
    /// These bytes.
    case part(ClosedRange<Int>)
    /// The header asks for bytes the file does not have (416).
    case unsatisfiable

    init(header: String?, size: Int) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { self = .whole; return }
        let spec = header.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { self = .whole; return }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0, size > 0 else { self = .unsatisfiable; return }
            self = .part(max(0, size - suffix)...(size - 1))
            return
        }
        guard let first = Int(parts[0]), first >= 0 else { self = .whole; return }
        guard first < size else { self = .unsatisfiable; return }
        if parts[1].isEmpty { self = .part(first...(size - 1)); return }
        guard let last = Int(parts[1]), last >= first else { self = .whole; return }
        self = .part(first...min(last, size - 1))
    }
}
