/// A line chart: one or more named series against a shared x axis, with round ticks, a light grid and a legend
/// (used for skill against lead time).
public struct LineChart: Sendable {
    /// One line: its name in the legend and its points (x, y); a nil y leaves a gap.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double?)]

        public init(name: String, points: [(x: Double, y: Double?)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// Colour-blind-safe line colours (Okabe and Ito), in series order.
    public static let palette = [RGB(0, 114, 178), RGB(213, 94, 0), RGB(0, 158, 115), RGB(204, 121, 167),
                                 RGB(230, 159, 0), RGB(86, 180, 233), RGB(0, 0, 0)]

    /// Draws the chart, 960 x 600 pixels. The y axis starts at zero unless a value is negative.
    public func render() -> PNGImage {
        let width = 960, height = 600, scale = 2, glyph = BitmapFont.glyphHeight * scale
        let left = 110, right = width - 30, top = 60, bottom = height - 70
        var image = PNGImage(width: width, height: height)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.compactMap(\.y) }.filter(\.isFinite)
        let xLow = xs.min() ?? 0, xHigh = max(xs.max() ?? 1, xLow + 1)
        let yLow = min(0, ys.min() ?? 0), yHigh = max((ys.max() ?? 1) * 1.08, yLow + 1e-12)
        func px(_ x: Double) -> Int { left + Int((x - xLow) / (xHigh - xLow) * Double(right - left)) }
        func py(_ y: Double) -> Int { bottom - Int((y - yLow) / (yHigh - yLow) * Double(bottom - top)) }
        let yStep = AxisTicks.step(yLow, yHigh, count: 6), xStep = max(1, AxisTicks.step(xLow, xHigh, count: 8))
        for y in AxisTicks.ticks(yLow, yHigh, count: 6) {
            image.fill(x: left, y: py(y), width: right - left, height: 1, .grid)
            let label = AxisTicks.label(y, step: yStep)
            image.text(label, x: left - 8 - PNGImage.textSize(label, scale: scale).width, y: py(y) - glyph / 2, scale: scale)
        }
        for x in AxisTicks.ticks(xLow, xHigh, count: 8) where (x / xStep).rounded() == x / xStep {
            image.fill(x: px(x), y: top, width: 1, height: bottom - top, .grid)
            let label = AxisTicks.label(x, step: xStep)
            image.text(label, x: px(x) - PNGImage.textSize(label, scale: scale).width / 2, y: bottom + 8, scale: scale)
        }
        image.frame(x: left, y: top, width: right - left + 1, height: bottom - top + 1, .black)
        image.text(title, x: 10, y: 10, scale: scale)
        image.text(yLabel, x: 10, y: 10 + glyph + 12, scale: scale)
        image.text(xLabel, x: (left + right - PNGImage.textSize(xLabel, scale: scale).width) / 2, y: bottom + 16 + glyph, scale: scale)
        for (index, line) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            var previous: (Int, Int)?
            for point in line.points {
                guard let y = point.y, y.isFinite else { previous = nil; continue }
                let p = (px(point.x), py(y))
                if let previous { image.line(from: previous, to: p, color, thickness: 3) }
                image.fill(x: p.0 - 3, y: p.1 - 3, width: 7, height: 7, color)
                previous = p
            }
        }
        // The legend, on white above the lines, in the top right corner.
        let names = series.map(\.name), widest = names.map { PNGImage.textSize($0, scale: scale).width }.max() ?? 0
        let boxWidth = widest + 60, boxHeight = names.count * (glyph + 10) + 10, boxX = right - 10 - boxWidth, boxY = top + 8
        if !names.isEmpty {
            image.fill(x: boxX, y: boxY, width: boxWidth, height: boxHeight, .white)
            image.frame(x: boxX, y: boxY, width: boxWidth, height: boxHeight, .grid)
        }
        for (index, name) in names.enumerated() {
            let color = Self.palette[index % Self.palette.count], y = boxY + 8 + index * (glyph + 10)
            image.fill(x: boxX + 10, y: y + glyph / 2 - 1, width: 30, height: 3, color)
            image.text(name, x: boxX + 48, y: y, scale: scale, color)
        }
        return image
    }
}
