import Foundation
import NetCDF

/// The job state on disk: an append-only file of JSON lines, each the whole record of one job after a change,
/// written with `fsync` before the change is acknowledged. The latest line of a job wins. A line cut short by a
/// crash is skipped on reading; opening the journal rewrites it compacted (one line per job) under a temporary
/// name, synced and renamed, so the file never holds a half-written state.
final class JobJournal: @unchecked Sendable {
    let path: String
    private var handle: FileHandle
    private let encoder: JSONEncoder

    /// Lines that could not be read when the journal was opened (a crash mid-write leaves at most one).
    private(set) var skippedLines = 0

    /// Opens (or creates) the journal in `folder` and returns it with the jobs it holds, oldest first.
    static func open(folder: String) throws -> (JobJournal, [JobRecord]) {
        let path = (folder as NSString).appendingPathComponent("jobs.journal")
        var records: [String: JobRecord] = [:]
        var order: [String] = []
        var skipped = 0
        if let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                guard let record = try? decoder.decode(JobRecord.self, from: Data(line)) else { skipped += 1; continue }
                if records[record.id] == nil { order.append(record.id) }
                records[record.id] = record
            }
        }
        let current = order.compactMap { records[$0] }
        let encoder = Self.makeEncoder()
        var compacted = Data()
        for record in current { compacted.append(try encoder.encode(record)); compacted.append(UInt8(ascii: "\n")) }
        try AtomicOutput.write(compacted, to: path)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        try handle.seekToEnd()
        let journal = JobJournal(path: path, handle: handle, encoder: encoder)
        journal.skippedLines = skipped
        return (journal, current)
    }

    private init(path: String, handle: FileHandle, encoder: JSONEncoder) {
        self.path = path
        self.handle = handle
        self.encoder = encoder
    }

    deinit { try? handle.close() }

    /// Appends `record` and waits until it is on disk.
    func append(_ record: JobRecord) throws {
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        try handle.write(contentsOf: line)
        try handle.synchronize()
    }

    private static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
