import Foundation

/// A quick-look map of one field on a latitude-longitude grid: the field in a colour map with land and missing
/// cells grey, north up, latitude and longitude labels, a colour bar with the units, and a title.
public struct MapFigure: Sendable {
    /// Values row by row as the file stores them (`latitudes.count` rows of `longitudes.count`); NaN is land.
    public var values: [Float]
    public var latitudes: [Double]
    public var longitudes: [Double]
    public var title: String
    public var units: String
    public var colorMap: ColorMap
    /// The colour range; nil chooses the 1st to 99th percentile of the valid cells (symmetric about zero for a
    /// diverging map).
    public var range: ClosedRange<Double>?

    public init(values: [Float], latitudes: [Double], longitudes: [Double], title: String, units: String,
                colorMap: ColorMap, range: ClosedRange<Double>? = nil) {
        precondition(values.count == latitudes.count * longitudes.count, "values must fill the grid")
        self.values = values
        self.latitudes = latitudes
        self.longitudes = longitudes
        self.title = title
        self.units = units
        self.colorMap = colorMap
        self.range = range
    }

    /// The colour range used: `range`, or the one chosen from the data.
    public var colorRange: ClosedRange<Double> {
        if let range { return range }
        let stride = max(1, values.count / 262_144)
        var sample: [Float] = []
        sample.reserveCapacity(values.count / stride + 1)
        for i in Swift.stride(from: 0, to: values.count, by: stride) where values[i].isFinite { sample.append(values[i]) }
        guard !sample.isEmpty else { return 0...1 }
        sample.sort()
        var low = Double(sample[Int(Double(sample.count - 1) * 0.01)]), high = Double(sample[Int(Double(sample.count - 1) * 0.99)])
        if colorMap.diverging {
            let m = max(abs(low), abs(high))
            (low, high) = (-m, m)
        }
        if high <= low { (low, high) = (low - max(1e-6, abs(low) * 0.01), high + max(1e-6, abs(high) * 0.01)) }
        return low...high
    }

    /// Draws the figure.
    public func render() -> PNGImage {
        let rows = latitudes.count, columns = longitudes.count
        let cell = max(1, 720 / max(rows, columns, 1))
        let textScale = columns * cell >= 600 ? 2 : 1, line = BitmapFont.advance * textScale + 2 * textScale
        let left = 8 * BitmapFont.advance * textScale + 8, top = 2 * line + 6
        let mapWidth = columns * cell, mapHeight = rows * cell
        let barX = left + mapWidth + 16, barWidth = 16 * textScale
        let width = barX + barWidth + 10 * BitmapFont.advance * textScale + 10, height = top + mapHeight + line + 12
        var image = PNGImage(width: width, height: height)
        let range = colorRange, span = range.upperBound - range.lowerBound
        let northUp = rows < 2 || latitudes[0] < latitudes[rows - 1]
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            values.withUnsafeBufferPointer { v in
                for r in 0..<rows {
                    let source = (northUp ? rows - 1 - r : r) * columns
                    for c in 0..<columns {
                        let x = v[source + c]
                        let color = x.isFinite ? colorMap.color((Double(x) - range.lowerBound) / span) : .land
                        for dy in 0..<cell {
                            var p = 3 * ((top + r * cell + dy) * width + left + c * cell)
                            for _ in 0..<cell {
                                pixels[p] = color.r; pixels[p + 1] = color.g; pixels[p + 2] = color.b
                                p += 3
                            }
                        }
                    }
                }
            }
        }
        image.frame(x: left - 1, y: top - 1, width: mapWidth + 2, height: mapHeight + 2, .black)
        image.text(title, x: 4, y: 4, scale: textScale)
        drawAxes(&image, left: left, top: top, cell: cell, textScale: textScale, northUp: northUp)
        drawColorBar(&image, x: barX, top: top, width: barWidth, height: mapHeight, range: range, textScale: textScale)
        return image
    }

    private func drawAxes(_ image: inout PNGImage, left: Int, top: Int, cell: Int, textScale: Int, northUp: Bool) {
        let rows = latitudes.count, columns = longitudes.count, glyph = BitmapFont.glyphHeight * textScale
        if rows > 1 {
            let south = min(latitudes[0], latitudes[rows - 1]), north = max(latitudes[0], latitudes[rows - 1])
            for lat in AxisTicks.ticks(south, north, count: 4) {
                let y = top + Int((north - lat) / (north - south) * Double((rows - 1) * cell)) + cell / 2
                let label = AxisTicks.label(abs(lat), step: AxisTicks.step(south, north, count: 4)) + (lat < 0 ? "S" : lat > 0 ? "N" : "")
                let size = PNGImage.textSize(label, scale: textScale)
                image.fill(x: left - 5, y: y, width: 4, height: 1, .black)
                image.text(label, x: left - 8 - size.width, y: y - glyph / 2, scale: textScale)
            }
        }
        if columns > 1 {
            let west = longitudes[0], east = longitudes[columns - 1], y = top + rows * cell + 4
            for lon in AxisTicks.ticks(west, east, count: 5) {
                let x = left + Int((lon - west) / (east - west) * Double((columns - 1) * cell)) + cell / 2
                let wrapped = lon > 180 ? lon - 360 : lon
                let label = AxisTicks.label(abs(wrapped), step: AxisTicks.step(west, east, count: 5)) + (wrapped < 0 ? "W" : wrapped > 0 ? "E" : "")
                image.fill(x: x, y: y - 3, width: 1, height: 4, .black)
                image.text(label, x: x - PNGImage.textSize(label, scale: textScale).width / 2, y: y + 3, scale: textScale)
            }
        }
    }

    private func drawColorBar(_ image: inout PNGImage, x: Int, top: Int, width: Int, height: Int,
                              range: ClosedRange<Double>, textScale: Int) {
        for row in 0..<height {
            let fraction = 1 - Double(row) / Double(max(1, height - 1))
            image.fill(x: x, y: top + row, width: width, height: 1, colorMap.color(fraction))
        }
        image.frame(x: x - 1, y: top - 1, width: width + 2, height: height + 2, .black)
        image.text(units, x: x, y: top - BitmapFont.glyphHeight * textScale - 6, scale: textScale)
        let step = AxisTicks.step(range.lowerBound, range.upperBound, count: 5)
        for value in AxisTicks.ticks(range.lowerBound, range.upperBound, count: 5) {
            let y = top + Int((range.upperBound - value) / (range.upperBound - range.lowerBound) * Double(height - 1))
            image.fill(x: x + width, y: y, width: 4, height: 1, .black)
            image.text(AxisTicks.label(value, step: step), x: x + width + 6, y: y - BitmapFont.glyphHeight * textScale / 2, scale: textScale)
        }
    }
}
