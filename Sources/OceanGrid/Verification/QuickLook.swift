import Foundation
import Plotting

/// The quick-look map of a field: the colour map its variable calls for, land grey, and a title with the
/// variable, depth, valid time and lead day. `forecastd plot` and a job's quick-look both draw with it.
public enum QuickLook {
    /// The figure of `field`; `colorMap` and `range` override the choice made from the variable and its values.
    public static func figure(_ field: SelectedField, colorMap: ColorMap? = nil, range: ClosedRange<Double>? = nil) -> MapFigure {
        var title = field.variable
        if let depth = field.depth { title += String(format: " at %g m", depth) }
        if let time = field.time { title += "  " + time.description.replacingOccurrences(of: "T", with: " ").dropLast(3) }
        if let lead = field.leadDay { title += "  (day \(lead))" }
        return MapFigure(values: field.values, latitudes: field.latitudes, longitudes: field.longitudes, title: title,
                         units: field.units, colorMap: colorMap ?? ColorMap.for(variable: field.variable, standardName: field.standardName),
                         range: range)
    }

    /// The PNG of the chosen field of `path`.
    public static func png(path: String, variable: String, depth: Double?, time: TimeChoice?) throws -> Data {
        figure(try SelectedField.read(path: path, variable: variable, depth: depth, time: time)).render().encoded()
    }
}
