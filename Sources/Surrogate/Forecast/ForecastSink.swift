import Foundation
import NetCDF
import OceanGrid
import Tensor

/// Where a forecast's days go: one file for the whole forecast or one file per day (``DayFileNames``). Day k is
/// encoded (compressed, checksummed) on the forecast's own compute threads between its days, then stored on the
/// writer thread while day k + 1 computes: on a machine whose cores the network fills, compression threads of
/// its own would only slow every parallel step of the network. Every file is written under a temporary name and
/// appears only when complete. A sink dropped without ``finish()`` lets the writer thread finish its day, then
/// removes the unfinished file.
final class ForecastSink {
    private let request: ForecastRequest
    private let layout: ForecastLayout
    /// The writer thread, shared by the sinks of one forecast (an ensemble's files are stored one at a time).
    private let writes: DayWriterQueue
    /// The single output file; nil with per-day files.
    private var writer: ForecastWriter?
    private let completed = Handoff(value: OutputList())
    private let output: OutputBuffers
    private let pool: ThreadPool

    /// Fails before anything is computed when the output folder is not writable.
    init(request: ForecastRequest, layout: ForecastLayout, rollout: Rollout, writes: DayWriterQueue, pool: ThreadPool) throws {
        self.request = request
        self.writes = writes
        self.layout = layout
        self.pool = pool
        if request.perDayFiles {
            _ = try AtomicOutput(path: try Self.perDayPath(request, day: 1, reference: layout.referenceTime))
        } else {
            writer = try ForecastWriter(path: request.output, layout: layout)
        }
        output = rollout.makeOutputBuffers()
    }

    deinit {
        _ = try? writes.drain()
        writer?.abandon()
    }

    /// Takes the fields of `day` from `fields` (a member's state as it is, or an ensemble's mean computed into the
    /// sink's buffers), encodes them on the pool and hands them to the writer thread; returns the seconds this
    /// took (encoding, and waiting for the writer to take the day).
    func write(day: Int, fields: (OutputBuffers) -> [String: UnsafeBufferPointer<Float>]) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        let values = fields(output)
        // A day's own file is created only once the previous day's file is finished: creating one file through
        // netCDF-C while another is stored and closed on the writer thread made libhdf5 fail (an HDF error on
        // the new file), though each call holds the library's lock.
        if writer == nil { _ = try writes.drain() }
        let file = try writer ?? ForecastWriter(path: Self.perDayPath(request, day: day, reference: layout.referenceTime), layout: layout)
        let encoded = try file.encode(leadHours: Double(24 * day), fields: values, parallel: pool.tasks)
        let handed = Handoff(value: file), perDay = writer == nil, completed = completed
        let encoding = ForecastTimings.seconds(since: start)
        return try encoding + writes.submit {
            try handed.value.store(encoded)
            if perDay {
                try handed.value.finish()
                completed.value.paths.append(handed.value.path)
            }
        }
    }

    /// Waits for the writer and completes the output; returns the files in the order they were completed and
    /// the seconds spent waiting.
    func finish() throws -> (paths: [String], seconds: Double) {
        var seconds = try writes.drain()
        if let file = writer {
            seconds += try ForecastTimings.measure { try file.finish() }
            completed.value.paths.append(request.output)
            writer = nil
        }
        return (completed.value.paths, seconds)
    }

    /// The file of `day` as the request names per-day files (``DayFileNames``); a WenHai-style day's folder is
    /// made here.
    static func perDayPath(_ request: ForecastRequest, day: Int, reference: CFDateTime) throws -> String {
        let url = URL(fileURLWithPath: request.output)
        switch request.dayFileNames {
        case .numbered:
            let stem = url.deletingPathExtension().lastPathComponent, ext = url.pathExtension.isEmpty ? "nc" : url.pathExtension
            return url.deletingLastPathComponent().appendingPathComponent(stem + String(format: "_day%02d.", day) + ext).path
        case .wenhai:
            let valid = AtmosphereForcing.date(reference, plus: day)
            let date = String(format: "fcst%04d%02d%02d", valid.year, valid.month, valid.day)
            let folder = url.appendingPathComponent(date)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw NetCDFError.cannotWrite(path: folder.path, detail: "cannot create the day's folder: \(error.localizedDescription)")
            }
            return folder.appendingPathComponent("\(date)_lead\(day).nc").path
        }
    }

    /// Output paths in the order they were completed (appended to on the writer thread).
    private final class OutputList {
        var paths: [String] = []
    }
}
