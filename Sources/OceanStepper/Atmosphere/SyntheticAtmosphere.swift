import OceanGrid
import Foundation
import NetCDF
import Tensor

/// A seeded synthetic atmosphere in the units ``AtmosphereForcing`` reads (u10 v10 in m/s, msl Pa, t2m d2m K,
/// ssr strd W/m2, mtpr kg m-2 s-1), so the stepper and training data need no download:
///
/// - a climate: trades and westerlies (u10 = -6 cos 3 latitude, stronger in winter; v10 = -2 sin 6 latitude),
///   subtropical highs and subpolar lows, air temperature falling poleward with a seasonal cycle lagging the sun
///   by a month, dew point a few kelvin below it, ITCZ rain;
/// - the sun: daily-mean top-of-atmosphere insolation from the solar declination, through a clear-sky
///   transmissivity and an ocean albedo; downwelling longwave from the air temperature;
/// - weather: cyclones born at seeded times and places around the domain, drifting east poleward of 25 degrees
///   and west equatorward, each with a pressure low, cyclonic winds, cloud (less sunshine, more longwave) and
///   rain that grow and decay over a lifetime of 3 to 6 days.
///
/// A day's fields are the mean over the 24 hours ending at its date (four samples), the convention of the
/// forecast's forcing days. Storms are drawn per birth day from the seed alone, so any range of days gives the
/// same fields for the days it shares with another.
public struct SyntheticAtmosphere: Sendable {
    public let latitudes: [Double], longitudes: [Double]
    public let seed: UInt64

    /// One weather disturbance.
    struct Storm {
        var birth: Double, lifetime: Double           // days since 1970
        var latitude: Double, longitude: Double       // at birth, degrees
        var eastward: Double, northward: Double       // drift, m/s
        var radius: Double, pressureDrop: Double      // m, Pa
    }

    public init(latitudes: [Double], longitudes: [Double], seed: UInt64) {
        (self.latitudes, self.longitudes, self.seed) = (latitudes, longitudes, seed)
    }

    private static let samplesPerDay = 4
    private static let metresPerDegree = 111_195.0

    /// Fills `day` ([ny * nx] per field) with the fields of `date`.
    public func fill(_ date: CFDateTime, into day: AtmosphereDay) {
        let ny = latitudes.count, nx = longitudes.count
        let end = date.secondsSince1970 / 86_400
        for f in day.fields { f.fill(0) }
        let (u10, v10, msl, t2m) = (day.u10.pointer, day.v10.pointer, day.msl.pointer, day.t2m.pointer)
        let (d2m, sw, lw, mtpr) = (day.d2m.pointer, day.ssr.pointer, day.strd.pointer, day.mtpr.pointer)
        let storms = self.storms(around: end)
        let weight = Float(1) / Float(Self.samplesPerDay)
        for sample in 0..<Self.samplesPerDay {
            let time = end - 1 + (Double(sample) + 0.5) / Double(Self.samplesPerDay)
            let sun = Self.sunDeclination(time), season = Self.season(time)
            let live = storms.compactMap { s in Self.position(s, at: time).map { (s, $0) } }
            for j in 0..<ny {
                let phi = latitudes[j] * .pi / 180
                let climate = Self.climate(latitude: phi, season: season, declination: sun)
                for i in 0..<nx {
                    var (u, v, p, t, dep, ssr, strd, rain) = climate
                    for (storm, at) in live {
                        let dx = (longitudes[i] - at.longitude) * Self.metresPerDegree * cos(at.latitude * .pi / 180)
                        let dy = (latitudes[j] - at.latitude) * Self.metresPerDegree
                        let r2 = (dx * dx + dy * dy) / (storm.radius * storm.radius)
                        guard r2 < 16 else { continue }
                        let strength = at.strength, g = exp(-0.5 * r2) * strength
                        let speed = (10 + 8 * storm.pressureDrop / 3000) * strength * r2.squareRoot() * exp(0.5 * (1 - r2))
                        let r = max((dx * dx + dy * dy).squareRoot(), 1), turn = at.latitude >= 0 ? 1.0 : -1.0
                        u -= turn * speed * dy / r
                        v += turn * speed * dx / r
                        p -= storm.pressureDrop * g
                        t -= 1.5 * g
                        dep *= 1 - 0.7 * g
                        ssr *= 1 - 0.6 * g
                        strd += 45 * g
                        rain += 2e-4 * g
                    }
                    let c = j * nx + i
                    u10[c] += weight * Float(u)
                    v10[c] += weight * Float(v)
                    msl[c] += weight * Float(p)
                    t2m[c] += weight * Float(t)
                    d2m[c] += weight * Float(t - dep)
                    sw[c] += weight * Float(ssr)
                    lw[c] += weight * Float(strd * pow(t / 288, 4))
                    mtpr[c] += weight * Float(rain)
                }
            }
        }
    }

    /// The weather-free climate at latitude `phi` (radians): u10, v10, msl, t2m, dew-point depression, ssr,
    /// downwelling longwave for air at 288 K, precipitation.
    static func climate(latitude phi: Double, season: Double, declination: Double)
        -> (Double, Double, Double, Double, Double, Double, Double, Double) {
        let hemisphere = phi >= 0 ? 1.0 : -1.0, a = abs(phi) * 180 / .pi
        let winter = 1 - 0.25 * hemisphere * season
        let u = -6 * cos(3 * phi) * winter, v = -2 * sin(6 * phi)
        let p = 101_300 + 1500 * exp(-pow((a - 32) / 12, 2)) - 1200 * exp(-pow((a - 60) / 10, 2))
        let t = 273.15 + 27 - 40 * sin(phi) * sin(phi) + 10 * sin(phi) * season
        let depression = 2 + 4 * sin(phi) * sin(phi)
        let ssr = 0.94 * 0.72 * insolation(latitude: phi, declination: declination)
        let strd = 0.8 * 5.670_374e-8 * pow(288.0, 4)
        let rain = 2e-5 + 6e-5 * exp(-pow((phi * 180 / .pi - 7) / 6, 2))
        return (u, v, p, t, depression, ssr, strd, rain)
    }

    /// Daily-mean top-of-atmosphere insolation (W/m2) at latitude `phi` for solar declination `delta`.
    static func insolation(latitude phi: Double, declination delta: Double) -> Double {
        let x = -tan(phi) * tan(delta)
        let h0 = x >= 1 ? 0 : (x <= -1 ? Double.pi : acos(x))
        return 1361 / .pi * (h0 * sin(phi) * sin(delta) + cos(phi) * cos(delta) * sin(h0))
    }

    /// Days since the March equinox of 2000, in tropical years.
    private static func equinoxPhase(_ time: Double) -> Double { 2 * .pi * (time - 11_036.3) / 365.2422 }

    static func sunDeclination(_ time: Double) -> Double { 23.44 * .pi / 180 * sin(equinoxPhase(time)) }

    /// +1 at the height of northern summer (a month after the solstice), -1 in northern winter.
    static func season(_ time: Double) -> Double { sin(equinoxPhase(time - 30)) }

    /// Storms that may be alive during the day ending at `end`.
    func storms(around end: Double) -> [Storm] {
        let latRange = (latitudes.min()! - 8)...(latitudes.max()! + 8)
        let lonRange = (longitudes.min()! - 15)...(longitudes.max()! + 8)
        let area = (latRange.upperBound - latRange.lowerBound) * (lonRange.upperBound - lonRange.lowerBound)
        let rate = 0.5 * area / 1600
        var out: [Storm] = []
        for birthDay in Int((end - 8).rounded(.down))...Int(end.rounded(.up)) {
            var rng = SplitMix64(seed: seed, stream: UInt64(bitPattern: Int64(birthDay)))
            // Poisson count by inversion.
            var count = 0, product = rng.unit(), threshold = exp(-rate)
            while product > threshold { count += 1; product *= rng.unit() }
            for _ in 0..<count {
                let latitude = latRange.lowerBound + rng.unit() * (latRange.upperBound - latRange.lowerBound)
                let midlatitude = abs(latitude) > 25, poleward = latitude >= 0 ? 1.0 : -1.0
                out.append(Storm(birth: Double(birthDay) + rng.unit(), lifetime: 3 + 3 * rng.unit(), latitude: latitude,
                                 longitude: lonRange.lowerBound + rng.unit() * (lonRange.upperBound - lonRange.lowerBound),
                                 eastward: midlatitude ? 8 + 6 * rng.unit() : -(4 + 3 * rng.unit()),
                                 northward: poleward * (1 + 2 * rng.unit()),
                                 radius: 250_000 + 250_000 * rng.unit(), pressureDrop: 800 + 2200 * rng.unit()))
            }
        }
        return out
    }

    /// Where `storm` is at `time` and how strong (0 ... 1), or nil outside its life.
    static func position(_ storm: Storm, at time: Double) -> (latitude: Double, longitude: Double, strength: Double)? {
        let age = time - storm.birth
        guard age >= 0, age <= storm.lifetime else { return nil }
        let latitude = storm.latitude + storm.northward * age * 86_400 / metresPerDegree
        let longitude = storm.longitude + storm.eastward * age * 86_400 / (metresPerDegree * cos(latitude * .pi / 180))
        return (latitude, longitude, sin(.pi * age / storm.lifetime))
    }

    /// Writes days `start + 1 ... start + days` to `path` as a CF file ``AtmosphereForcing`` reads, atomically.
    public func write(path: String, start: CFDateTime, days: Int, progress: (Int) -> Void = { _ in }) throws {
        let variables = zip(AtmosphereDay.names, Self.metadata).map { name, meta in
            ForecastVariable(name: name, standardName: meta.standard, units: meta.units, longName: meta.long, hasDepth: false,
                             packingRange: meta.range)
        }
        var layout = ForecastLayout(latitudes: latitudes, longitudes: longitudes, depths: [], variables: variables, referenceTime: start)
        layout.title = "forecastd synthetic atmosphere (daily means)"
        layout.source = "forecastd atmosphere, seed \(seed)"
        let writer = try ForecastWriter(path: path, layout: layout)
        defer { writer.abandon() }
        let day = AtmosphereDay.zeros(cells: latitudes.count * longitudes.count)
        for d in 1...days {
            fill(AtmosphereForcing.date(start, plus: d), into: day)
            let fields = Dictionary(uniqueKeysWithValues: zip(AtmosphereDay.names, day.fields).map {
                ($0, UnsafeMutableBufferPointer(start: $1.pointer, count: $1.count))
            })
            try writer.writeDay(leadHours: Double(24 * d), fields: fields)
            progress(d)
        }
        try writer.finish()
    }

    private static let metadata: [(standard: String, units: String, long: String, range: ClosedRange<Double>)] = [
        ("eastward_wind", "m s-1", "10 metre eastward wind", -60...60),
        ("northward_wind", "m s-1", "10 metre northward wind", -60...60),
        ("air_pressure_at_mean_sea_level", "Pa", "Mean sea level pressure", 90_000...110_000),
        ("air_temperature", "K", "2 metre temperature", 200...330),
        ("dew_point_temperature", "K", "2 metre dew point temperature", 200...330),
        ("surface_net_downward_shortwave_flux", "W m-2", "Surface net shortwave radiation", 0...500),
        ("surface_downwelling_longwave_flux_in_air", "W m-2", "Surface downwelling longwave radiation", 0...600),
        ("precipitation_flux", "kg m-2 s-1", "Mean total precipitation rate", 0...0.01),
    ]
}
