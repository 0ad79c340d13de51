import ArgumentParser
import Foundation
import NetCDF

/// `forecastd inspect FILE.nc`: what a NetCDF file holds, decoded the CF way.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a NetCDF file: dimensions, variables with CF metadata, decoded coordinates and time "
            + "range, and per variable min/mean/max and NaN count after decoding."
    )

    @Argument(help: "The NetCDF file.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try reportingFailures {
            try Probe.child.check(file)
            let report = try FileReport(path: file)
            print(json ? report.json() : report.text())
        }
    }
}
