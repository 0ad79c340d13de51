import Foundation
import NetCDF
import OceanGrid

/// Where a forecast's days go: one file for the whole forecast or one file per day (`NAME_dayDD.nc`). Day k is
/// written on the writer thread while day k + 1 computes, from two output buffers used in turn; every file is
/// written under a temporary name and appears only when complete. A sink dropped without ``finish()`` lets
/// the writer thread finish its day, then removes the unfinished file.
final class ForecastSink {
    private let request: ForecastRequest
    private let layout: ForecastLayout
    private let writes = DayWriterQueue()
    /// The single output file; nil with per-day files.
    private var writer: ForecastWriter?
    private let completed = Handoff(value: OutputList())
    private let buffers: [OutputBuffers]

    /// Fails before anything is computed when the output folder is not writable.
    init(request: ForecastRequest, layout: ForecastLayout, rollout: Rollout) throws {
        self.request = request
        self.layout = layout
        if request.perDayFiles {
            _ = try AtomicOutput(path: Self.perDayPath(request.output, day: 1))
        } else {
            writer = try ForecastWriter(path: request.output, layout: layout)
        }
        buffers = [rollout.makeOutputBuffers(), rollout.makeOutputBuffers()]
    }

    deinit {
        _ = try? writes.drain()
        writer?.abandon()
    }

    /// Copies the rollout's state for `day` and hands it to the writer thread; returns the seconds spent waiting
    /// for the writer to take it.
    func write(day: Int, from rollout: Rollout) throws -> Double {
        let output = buffers[day % 2], lead = Double(24 * day)
        rollout.copyOutput(into: output)
        let single = Handoff(value: writer), dayLayout = Handoff(value: layout), completed = completed
        let path = request.perDayFiles ? Self.perDayPath(request.output, day: day) : request.output
        return try writes.submit {
            if let file = single.value {
                try file.writeDay(leadHours: lead, fields: output.writerFields)
            } else {
                let file = try ForecastWriter(path: path, layout: dayLayout.value)
                try file.writeDay(leadHours: lead, fields: output.writerFields)
                try file.finish()
                completed.value.paths.append(path)
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
