/// Perceptually ordered colour maps after cmocean's (Thyng et al. 2016): `thermal` for temperature, `haline` for
/// salinity, `balance` (diverging, white at the centre) for currents and sea level. Each is a 256-entry table
/// interpolated in sRGB between anchor colours read off the originals.
public struct ColorMap: Sendable {
    public let name: String
    /// Whether the map is centred on zero (ranges are then made symmetric).
    public let diverging: Bool
    private let table: [RGB]

    init(name: String, diverging: Bool, anchors: [(Double, Double, Double)]) {
        self.name = name
        self.diverging = diverging
        table = (0..<256).map { i in
            let position = Double(i) / 255 * Double(anchors.count - 1)
            let k = min(Int(position), anchors.count - 2), t = position - Double(k)
            let a = anchors[k], b = anchors[k + 1]
            func mix(_ u: Double, _ v: Double) -> UInt8 { UInt8((u + (v - u) * t).rounded()) }
            return RGB(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
        }
    }

    /// The colour of `fraction` of the way along the map (clamped to 0...1).
    public func color(_ fraction: Double) -> RGB {
        table[fraction.isNaN ? 0 : Int((min(1, max(0, fraction)) * 255).rounded())]
    }

    public static let thermal = ColorMap(name: "thermal", diverging: false, anchors: [
        (4, 35, 51), (23, 51, 122), (85, 59, 157), (129, 79, 143), (175, 95, 130),
        (222, 112, 101), (249, 146, 66), (249, 196, 65), (232, 250, 91)])
    public static let haline = ColorMap(name: "haline", diverging: false, anchors: [
        (42, 24, 108), (33, 50, 162), (15, 90, 145), (40, 118, 137), (59, 146, 135),
        (79, 175, 126), (121, 201, 100), (184, 221, 100), (253, 238, 153)])
    public static let balance = ColorMap(name: "balance", diverging: true, anchors: [
        (24, 28, 67), (40, 70, 160), (70, 130, 200), (170, 200, 225), (241, 237, 236),
        (225, 170, 150), (200, 90, 70), (150, 30, 40), (60, 9, 18)])

    public static let all = [thermal, haline, balance]

    /// The map for a CF variable: thermal for temperatures, haline for salinity, balance for velocities and sea
    /// level; thermal for anything else.
    public static func `for`(variable: String, standardName: String?) -> ColorMap {
        let name = (standardName ?? "") + " " + variable
        if name.contains("temperature") || variable == "thetao" || variable.hasPrefix("sst") { return thermal }
        if name.contains("salinity") || variable == "so" || variable.hasPrefix("sss") { return haline }
        if name.contains("velocity") || name.contains("sea_surface_height") || ["uo", "vo", "zos", "ssh"].contains(variable) {
            return balance
        }
        return thermal
    }

    /// The map named `name` (thermal, haline, balance), nil for others.
    public static func named(_ name: String) -> ColorMap? { all.first { $0.name == name } }
}
