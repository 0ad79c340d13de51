import Foundation
import NetCDF
import OceanGrid
import Tensor

/// Where a forecast's days go: one file for the whole forecast or one file per day (`NAME_dayDD.nc`). Day k is
/// encoded (compressed, checksummed) on the forecast's own compute threads between its days, then stored on the
/// writer thread while day k + 1 computes: on a machine whose cores the network fills, compression threads of
/// its own would only slow every parallel step of the network. Every file is written under a temporary name and
/// appears only when complete. A sink dropped without ``finish()`` lets the writer thread finish its day, then
/// removes the unfinished file.
final class ForecastSink {
    private let request: ForecastRequest
    private let layout: ForecastLayout
    private let writes = DayWriterQueue()
    /// The single output file; nil with per-day files.
    private var writer: ForecastWriter?
    private let completed = Handoff(value: OutputList())
    private let output: OutputBuffers
    private let pool: ThreadPool

    /// Fails before anything is computed when the output folder is not writable.
    init(request: ForecastRequest, layout: ForecastLayout, rollout: Rollout, pool: ThreadPool) throws {
        self.request = request
        self.layout = layout
        self.pool = pool
        if request.perDayFiles {
            _ = try AtomicOutput(path: Self.perDayPath(request.output, day: 1))
        } else {
            writer = try ForecastWriter(path: request.output, layout: layout)
        }
        output = rollout.makeOutputBuffers()
    }

    deinit {
        _ = try? writes.drain()
        writer?.abandon()
    }

    /// Copies the rollout's state for `day`, encodes it on the pool and hands it to the writer thread; returns the
    /// seconds this took (encoding, and waiting for the writer to take the day).
    func write(day: Int, from rollout: Rollout) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        rollout.copyOutput(into: output)
        // A day's own file is created only once the previous day's file is finished: creating one file through
        // netCDF-C while another is stored and closed on the writer thread made libhdf5 fail (an HDF error on
        // the new file), though each call holds the library's lock.
        if writer == nil { _ = try writes.drain() }
        let file = try writer ?? ForecastWriter(path: Self.perDayPath(request.output, day: day), layout: layout)
        let pool = pool
        let encoded = try file.encode(leadHours: Double(24 * day), fields: output.writerFields) { count, body in
            pool.parallelFor(count) { task, _ in body(task) }
        }
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

    /// `NAME_dayDD.nc` beside `NAME.nc`.
    static func perDayPath(_ output: String, day: Int) -> String {
        let url = URL(fileURLWithPath: output)
        let stem = url.deletingPathExtension().lastPathComponent, ext = url.pathExtension.isEmpty ? "nc" : url.pathExtension
        return url.deletingLastPathComponent().appendingPathComponent(stem + String(format: "_day%02d.", day) + ext).path
    }

    /// Output paths in the order they were completed (appended to on the writer thread).
    private final class OutputList {
        var paths: [String] = []
    }
}
