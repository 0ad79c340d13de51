import ArgumentParser
import NetCDF
import OceanGrid

/// `forecastd probe FILE`: the child side of ``InputProbe``; reads a whole file and exits 0, or with the
/// sysexits status of the problem.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a whole NetCDF file and report whether it is intact (used to isolate damaged inputs).",
        shouldDisplay: false
    )

    /// This binary's own probe, for the commands that read untrusted inputs.
    static let child = InputProbe(executable: "/proc/self/exe", arguments: ["probe"])

    @Argument(help: "The NetCDF file.")
    var file: String

    func run() throws {
        try reportingFailures { try CFDataset.readEverything(file) }
    }
}
