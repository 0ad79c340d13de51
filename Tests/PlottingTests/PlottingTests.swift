import Foundation
import Plotting
import TestSupport
import Testing

@Suite("Pictures: PNG encoding, font, colour maps, axes, maps and charts")
struct PlottingTests {
    /// The RGB bytes of a PNG as Pillow decodes it (an independent decoder).
    static func decoded(_ path: String) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let script = "import sys; from PIL import Image; i = Image.open(sys.argv[1]); i.load(); "
            + "sys.stdout.write('%d %d %s' % (i.size[0], i.size[1], i.convert('RGB').tobytes().hex()))"
        let result = try #require(Scratch.run("python3", ["-c", script, path]))
        #expect(result.status == 0, "\(result.output)")
        let parts = result.output.split(separator: " ")
        let hex = Array(parts[2].utf8)
        let bytes = stride(from: 0, to: hex.count, by: 2).map { i in UInt8(String(decoding: hex[i..<(i + 2)], as: UTF8.self), radix: 16)! }
        return (Int(parts[0])!, Int(parts[1])!, bytes)
    }

    static let pillow = Scratch.python(has: ["PIL"])

    @Test("A PNG of random pixels decodes in Pillow to exactly those pixels", .enabled(if: pillow, "needs python3 with Pillow"))
    func pngRoundTrip() throws {
        var image = PNGImage(width: 37, height: 23)
        var state: UInt32 = 7
        for i in image.pixels.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            image.pixels[i] = UInt8(state >> 24)
        }
        let path = try Scratch.folder("png") + "/random.png"
        try image.encoded().write(to: URL(fileURLWithPath: path))
        let back = try Self.decoded(path)
        #expect(back.width == 37 && back.height == 23)
        #expect(back.pixels == image.pixels)
    }

    @Test("Every printable character has its own glyph; text is drawn where it is asked, in its colour")
    func font() {
        let printable = (32..<127).map { String(UnicodeScalar(UInt8($0))) }
        var seen = Set<[UInt8]>()
        for character in printable {
            var image = PNGImage(width: 8, height: 9)
            image.text(character, x: 1, y: 1, .black)
            let ink = stride(from: 0, to: image.pixels.count, by: 3).filter { image.pixels[$0] == 0 }.count
            #expect(character == " " ? ink == 0 : ink > 0, "'\(character)'")
            #expect(seen.insert(image.pixels).inserted, "'\(character)' draws the same as another character")
        }
        var image = PNGImage(width: 40, height: 20)
        image.text("42", x: 10, y: 5, scale: 2, RGB(200, 0, 0))
        let red = stride(from: 0, to: image.pixels.count, by: 3).filter { image.pixels[$0] == 200 }.map { ($0 / 3) % 40 }
        #expect(!red.isEmpty && red.min()! >= 10 && red.max()! < 10 + PNGImage.textSize("42", scale: 2).width)
    }

    /// Relative luminance (sRGB, D65).
    static func luminance(_ c: RGB) -> Double {
        func linear(_ v: UInt8) -> Double {
            let x = Double(v) / 255
            return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)
    }

    @Test("thermal and haline grow lighter from end to end; balance is lightest at its centre, darkest at both ends")
    func colourMaps() {
        for map in [ColorMap.thermal, .haline] {
            let y = (0...255).map { Self.luminance(map.color(Double($0) / 255)) }
            #expect(zip(y, y.dropFirst()).allSatisfy { $1 >= $0 - 1e-3 }, "\(map.name) is not ordered by lightness")
            #expect(y.last! - y.first! > 0.8)
        }
        let y = (0...255).map { Self.luminance(ColorMap.balance.color(Double($0) / 255)) }
        #expect(zip(y[0..<128], y[1...128]).allSatisfy { $1 >= $0 - 1e-3 })
        #expect(zip(y[128..<255], y[129...255]).allSatisfy { $1 <= $0 + 1e-3 })
        #expect(y[128] > 0.8 && y[0] < 0.05 && y[255] < 0.05)
        #expect(ColorMap.for(variable: "thetao", standardName: nil).name == "thermal")
        #expect(ColorMap.for(variable: "so", standardName: "sea_water_salinity").name == "haline")
        #expect(ColorMap.for(variable: "uo", standardName: nil).diverging)
    }

    @Test("Axis ticks: round steps inside the range, labels with the decimals the step needs")
    func ticks() {
        #expect(AxisTicks.ticks(0, 0.0868, count: 5) == [0, 0.02, 0.04, 0.06, 0.08])
        #expect(AxisTicks.ticks(20.125, 51.875, count: 4) == [30, 40, 50])
        #expect(AxisTicks.ticks(-80, -48, count: 5) == [-80, -75, -70, -65, -60, -55, -50])
        #expect(AxisTicks.label(0.04, step: 0.02) == "0.04")
        #expect(AxisTicks.label(25, step: 5) == "25")
        #expect(AxisTicks.ticks(3, 3) == [3])
    }

    @Test("A map puts north up, land grey, and colours a field by its value; the colour bar runs high to low")
    func map() {
        // Latitudes ascending (south first, as most files store them): values grow to the north.
        let latitudes = [10.0, 11, 12], longitudes = [100.0, 101, 102, 103]
        var values = (0..<12).map { Float($0 / 4) }
        values[1] = .nan
        let figure = MapFigure(values: values, latitudes: latitudes, longitudes: longitudes, title: "t", units: "K",
                               colorMap: .thermal, range: 0...2)
        let image = figure.render()
        func pixel(_ x: Int, _ y: Int) -> RGB {
            let i = 3 * (y * image.width + x)
            return RGB(image.pixels[i], image.pixels[i + 1], image.pixels[i + 2])
        }
        // Find the map: the first row and column of the top-left cell's colour (the northern row, value 2).
        let north = ColorMap.thermal.color(1), south = ColorMap.thermal.color(0)
        let topLeft = (0..<image.height).lazy.flatMap { y in (0..<image.width).lazy.map { (x: $0, y: y) } }.first { pixel($0.x, $0.y) == north }
        guard let topLeft else { Issue.record("no pixel in the northern row's colour"); return }
        let cell = 720 / 4
        #expect(pixel(topLeft.x, topLeft.y + 2 * cell + 1) == south, "the southern row is at the bottom")
        #expect(pixel(topLeft.x + cell + 1, topLeft.y + 2 * cell + 1) == .land, "the NaN cell (south, second column) is land grey")
        #expect(pixel(topLeft.x + cell + 1, topLeft.y + cell + 1) == ColorMap.thermal.color(0.5))
        #expect(figure.colorRange == 0...2)
        let automatic = MapFigure(values: values.map { $0 - 1 }, latitudes: latitudes, longitudes: longitudes, title: "u",
                                  units: "m s-1", colorMap: .balance)
        #expect(automatic.colorRange.lowerBound == -automatic.colorRange.upperBound && automatic.colorRange.upperBound > 0.9)
    }

    @Test("A chart draws each series in its palette colour, and a missing point leaves a gap")
    func chart() {
        let chart = LineChart(title: "rmse", xLabel: "lead day", yLabel: "RMSE", series: [
            .init(name: "a", points: [(1, 0.1), (2, 0.2), (3, 0.3)]),
            .init(name: "b", points: [(1, 0.3), (2, nil), (3, 0.1)]),
        ])
        let image = chart.render()
        func count(_ c: RGB) -> Int {
            stride(from: 0, to: image.pixels.count, by: 3).filter { RGB(image.pixels[$0], image.pixels[$0 + 1], image.pixels[$0 + 2]) == c }.count
        }
        let a = count(LineChart.palette[0]), b = count(LineChart.palette[1])
        #expect(a > 1000 && b > 100)
        #expect(b < a / 2, "series b has a gap at lead 2: only its markers and legend are drawn (\(a) against \(b) pixels)")
    }
}
