import Foundation
import OceanGrid
import OceanStepper
import Surrogate

/// Progress of a forecast or a stepper run on stderr: readable lines on a terminal, `key=value` log lines otherwise.
struct ProgressLog {
    let terminal = isatty(STDERR_FILENO) == 1

    func day(_ p: ForecastProgress) {
        let t = p.timings
        if terminal {
            emit(String(format: "day %d/%d %@  read %.2f s  fluxes %.2f s  network %.2f s  write %.2f s",
                        p.day, p.days, "\(p.date)", t.read, t.fluxes, t.network, t.write))
        } else {
            emit(String(format: "event=day day=%d days=%d date=%@ read_s=%.3f fluxes_s=%.3f network_s=%.3f write_s=%.3f",
                        p.day, p.days, "\(p.date)", t.read, t.fluxes, t.network, t.write))
        }
    }

    /// The forecast's end: its notes, where the time before the first day went (`launch`: seconds from exec to
    /// the forecast's start, when known), and the time per phase with the peak memory.
    func finish(_ s: ForecastSummary, launch: Double? = nil) {
        for note in s.notes { emit(terminal ? note : "event=note text=\"\(note)\"") }
        let u = s.startup, first = (launch ?? 0) + u.total
        if terminal {
            emit(String(format: "start-up %.2f s to the first day: process %@, model %.2f s, probe wait %.2f s, inputs %.2f s",
                        first, launch.map { String(format: "%.2f s", $0) } ?? "unknown", u.model, u.probe, u.inputs))
        } else {
            emit(String(format: "event=startup first_day_s=%.3f exec_s=%@ model_s=%.3f probe_s=%.3f inputs_s=%.3f",
                        first, launch.map { String(format: "%.3f", $0) } ?? "unknown", u.model, u.probe, u.inputs))
        }
        let t = s.timings
        let peak = peakResidentMebibytes()
        if terminal {
            emit(String(format: "done: %@  total %.2f s (read %.2f, fluxes %.2f, network %.2f, write %.2f), peak memory %.0f MiB",
                        s.outputs.joined(separator: ", "), t.total, t.read, t.fluxes, t.network, t.write, peak))
        } else {
            emit(String(format: "event=done outputs=%@ total_s=%.3f read_s=%.3f fluxes_s=%.3f network_s=%.3f write_s=%.3f peak_rss_mib=%.0f",
                        s.outputs.joined(separator: ","), t.total, t.read, t.fluxes, t.network, t.write, peak))
        }
    }

    /// A stepper day done.
    func simulated(day: Int, of days: Int) {
        emit(terminal ? "simulated day \(day)/\(days)" : "event=day day=\(day) days=\(days)")
    }

    /// A stepper run resumed from its restart after `day` days.
    func resumed(day: Int) {
        emit(terminal ? "resumed after day \(day) from the restart file" : "event=resumed day=\(day)")
    }

    private func emit(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
