import ArgumentParser

/// `forecastd probe FILE`: the child side of ``InputProbe``; reads a whole file and exits 0, or with the
/// sysexits status of the problem.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a whole NetCDF file and report whether it is intact (used to isolate damaged inputs).",
        shouldDisplay: false
    )

    @Argument(help: "The NetCDF file.")
    var file: String

    func run() throws {
        try reportingFailures { try InputProbe.readEverything(file) }
    }
}
