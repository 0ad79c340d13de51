import Foundation
import ArgumentParser
import CProcessor
import NetCDF
import OceanGrid

/// `forecastd probe FILE`: the child side of ``InputProbe``; reads a whole file and exits 0, or with the
/// sysexits status of the problem. With `--variable` it reads only what `plot` reads: the file's metadata, the
/// field's coordinates and its one slice (a choice the file cannot answer is the parent's to report).
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a whole NetCDF file and report whether it is intact (used to isolate damaged inputs).",
        shouldDisplay: false
    )

    /// This binary's own probe, for the commands that read untrusted inputs. FORECASTD_PROBE_SECONDS replaces
    /// the minute any file may take to read (tests of a file that never finishes set a few seconds).
    static let child = InputProbe(executable: "/proc/self/exe", arguments: ["probe"],
                                  minimumSeconds: ProcessInfo.processInfo.environment["FORECASTD_PROBE_SECONDS"].flatMap(Double.init) ?? 60)

    /// A probe of the one field `plot` draws (a whole forecast file can hold gigabytes it does not touch).
    static func field(variable: String, depth: Double?, time: TimeChoice?) -> InputProbe {
        var arguments = ["probe", "--variable", variable]
        if let depth { arguments += ["--depth", String(depth)] }
        switch time {
        case .index(let i): arguments += ["--time", String(i)]
        case .date(let d): arguments += ["--time", d.description]
        case .leadDay(let d): arguments += ["--day", String(d)]
        case nil: break
        }
        return InputProbe(executable: child.executable, arguments: arguments, minimumSeconds: child.minimumSeconds)
    }

    @Argument(help: "The NetCDF file.")
    var file: String

    @Option(help: "Read only this variable's field (with --depth, --time or --day).")
    var variable: String?

    @Option(help: "The field's depth.")
    var depth: Double?

    @Option(help: "The field's time (an index or a date).")
    var time: String?

    @Option(help: "The field's lead day.")
    var day: Int?

    func run() throws {
        // A probe lives only as long as the process that asked for it: killed with it (a batch forecast past its
        // time limit), it must not go on reading, or hang, on its own.
        guard fd_die_with_parent() == 0 else { throw ExitCode(Sysexit.temporaryFailure.rawValue) }
        try reportingFailures {
            guard let variable else { return try CFDataset.readEverything(file) }
            let choice = day.map(TimeChoice.leadDay) ?? time.flatMap(TimeChoice.init(parsing:))
            do { _ = try SelectedField.read(path: file, variable: variable, depth: depth, time: choice) } catch is FieldSelectionError {}
        }
    }
}
