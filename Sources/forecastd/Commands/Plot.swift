import ArgumentParser
import Foundation
import NetCDF
import OceanGrid
import Plotting

/// `forecastd plot FILE --var thetao --depth 0 --time 5 --out map.png`: a quick-look map of one field.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw one field of a NetCDF file as a PNG map: land grey, north up, a colour bar with the units, "
            + "the variable, depth and valid time in the title.",
        discussion: """
            Colour maps after cmocean's: thermal (temperature), haline (salinity), balance (currents, sea level; \
            centred on zero). The colour range is the 1st to 99th percentile of the field unless --range sets it. \
            Exit 64 when the file has no such variable, depth or time (the message lists what it has), 65 when \
            the file is damaged; no partial PNG is left.
            """
    )

    @Argument(help: "The NetCDF file (a forecast, an init, any CF file on a latitude-longitude grid).")
    var file: String

    @Option(name: .customLong("var"), help: "The variable to draw.")
    var variable: String

    @Option(help: "Depth in m: the nearest level (within 10 m or 10%); 0, the default, is the top level.")
    var depth: Double?

    @Option(help: "The time: an index from 0 in the file's order, or a date (2004-06-06 or 2004-06-06T12:00). Default: the first.")
    var time: String?

    @Option(help: "The forecast's lead day (1 = a day after its reference time) instead of --time.")
    var day: Int?

    @Option(help: "Colour map: thermal, haline or balance (default: chosen from the variable).")
    var cmap: String?

    @Option(help: "Colour range as LOW,HIGH (default: the field's 1st to 99th percentile).")
    var range: String?

    @Option(help: "The PNG to write.")
    var out: String

    func validate() throws {
        if time != nil && day != nil { throw ValidationError("give --time or --day, not both") }
        if let time, TimeChoice(parsing: time) == nil {
            throw ValidationError("--time is an index from 0 or a date such as 2004-06-06; got '\(time)'")
        }
        if let cmap, ColorMap.named(cmap) == nil {
            throw ValidationError("--cmap must be one of \(ColorMap.all.map(\.name).joined(separator: ", ")); got '\(cmap)'")
        }
        _ = try colorRange()
        if let depth, !(depth >= 0 && depth.isFinite) { throw ValidationError("--depth must be 0 or more metres, got \(depth)") }
    }

    func run() throws {
        try reportingFailures {
            try AtomicOutput.requireDistinct(out, from: [file])
            let choice = day.map(TimeChoice.leadDay) ?? time.flatMap(TimeChoice.init(parsing:))
            try Probe.field(variable: variable, depth: depth, time: choice).check(file)
            let field = try SelectedField.read(path: file, variable: variable, depth: depth, time: choice)
            let png = QuickLook.figure(field, colorMap: cmap.flatMap(ColorMap.named), range: try colorRange()).render().encoded()
            try AtomicOutput.write(png, to: out)
            print("wrote \(out)")
        }
    }

    private func colorRange() throws -> ClosedRange<Double>? {
        guard let range else { return nil }
        let parts = range.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low.isFinite, high.isFinite, low < high else {
            throw ValidationError("--range is LOW,HIGH with LOW < HIGH, e.g. -0.5,0.5; got '\(range)'")
        }
        return low...high
    }
}
