import Foundation
import ArgumentParser
import CProcessor
import NetCDF
import OceanGrid

/// `forecastd probe FILE`: the child side of ``InputProbe``; reads a whole file and exits 0, or with the
/// sysexits status of the problem.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a whole NetCDF file and report whether it is intact (used to isolate damaged inputs).",
        shouldDisplay: false
    )

    /// This binary's own probe, for the commands that read untrusted inputs. FORECASTD_PROBE_SECONDS replaces
    /// the minute any file may take to read (tests of a file that never finishes set a few seconds).
    static let child = InputProbe(executable: "/proc/self/exe", arguments: ["probe"],
                                  minimumSeconds: ProcessInfo.processInfo.environment["FORECASTD_PROBE_SECONDS"].flatMap(Double.init) ?? 60)

    @Argument(help: "The NetCDF file.")
    var file: String

    func run() throws {
        // A probe lives only as long as the process that asked for it: killed with it (a batch forecast past its
        // time limit), it must not go on reading, or hang, on its own.
        guard fd_die_with_parent() == 0 else { throw ExitCode(Sysexit.temporaryFailure.rawValue) }
        try reportingFailures { try CFDataset.readEverything(file) }
    }
}
