import NetCDF
import Tensor

/// The ocean state a forecast starts from, read from a CMEMS/GLORYS-style file onto the model's channels:
/// `[S, H, W]` in physical units (degC, 1e-3, m/s, m), NaN on land, at the file's last time step.
public struct InitialState: Sendable {
    /// The state, channels in the model's order.
    public let state: Tensor
    /// The time of the state: the forecast's reference time.
    public let referenceTime: CFDateTime
    /// What was matched or converted on the way (depth levels, units), for the log.
    public let notes: [String]

    /// Names and standard names each state variable is looked for under, after any `--var` override.
    static let lookup: [OceanVariable: (standard: [String], names: [String])] = [
        .thetao: (["sea_water_potential_temperature"], ["thetao", "votemper", "temp", "temperature", "pottmp", "to"]),
        .so: (["sea_water_salinity", "sea_water_practical_salinity"], ["so", "vosaline", "salt", "salinity"]),
        .uo: (["eastward_sea_water_velocity"], ["uo", "vozocrtx", "u", "uoce"]),
        .vo: (["northward_sea_water_velocity"], ["vo", "vomecrty", "v", "voce"]),
        .zos: (["sea_surface_height_above_geoid", "sea_surface_height"], ["zos", "sossheig", "ssh", "zeta"]),
    ]

    /// Reads `path` onto `model`'s grid; `names` overrides the variable names (from `--var thetao=NAME`);
    /// `start` chooses the time of a file holding several (see ``StartTime``).
    public static func read(path: String, model: some OceanStateGrid, names: [OceanVariable: String] = [:],
                            start: String? = nil, parallel: ChunkStore.ParallelTasks = ChunkStore.serial) throws -> InitialState {
        let dataset = try CFDataset(path: path)
        let h = model.latitudes.count, w = model.longitudes.count, plane = h * w
        let state = Tensor(zeros: [model.stateChannelCount, h, w])
        let scratch = Tensor(zeros: [plane])
        // One buffer for every variable's decoded levels (a fresh array each would be faulted in again).
        var buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)
        defer { buffer.deallocate() }
        var notes: [String] = []
        var time: StartTime?
        var temperatureAxes: (lat: String, lon: String)?
        var placement: GridPlacement?
        for variable in OceanVariable.allCases {
            let entry = lookup[variable]!
            let v = try dataset.find(variable.rawValue, override: names[variable], standardNames: entry.standard, names: entry.names)
            let kinds = try dataset.axisKinds(of: v)
            let expected: [CFAxisKind] = variable.hasDepth ? [.time, .depth, .latitude, .longitude] : [.time, .latitude, .longitude]
            if kinds != expected { try dataset.requireDimensions(v, Array(expected.dropFirst())) }
            let found = try dataset.placement(of: v, latitudes: model.latitudes, longitudes: model.longitudes)
            if placement == nil, let note = found.note { notes.append("\(path): \(note)") }
            placement = found
            // Velocities on another grid than the tracers (Arakawa C staggering) are not mixed up silently.
            let axes = (lat: try dataset.axis(.latitude, of: v)!.name, lon: try dataset.axis(.longitude, of: v)!.name)
            if variable == .uo || variable == .vo, let t = temperatureAxes, t != axes {
                throw ForecastError.inputData(path: path, variable: v.name, detail: """
                    lies on (\(axes.lat), \(axes.lon)) while thetao lies on (\(t.lat), \(t.lon)): velocities on a \
                    staggered grid must be interpolated to the tracer points first
                    """)
            }
            var timeIndex = 0
            if let chosen = try StartTime(of: v, in: dataset, start: start) {
                if let time, time.date != chosen.date {
                    throw ForecastError.inputData(path: path, variable: v.name, detail: "time \(chosen.date) differs from the other variables' \(time.date)")
                }
                if time == nil { notes.append(chosen.note) }
                time = chosen
                timeIndex = chosen.index
            }
            let hasTime = kinds.first == .time
            let units = try v.attributes()["units"]?.text ?? ""
            let (scale, offset, note) = try variable.quantity.requireConversion(from: units, path: path, variable: v.name)
            if let note { notes.append(note) }
            let depths = variable.hasDepth ? try dataset.axis(.depth, of: v)!.values : []
            let levels = max(depths.count, 1)
            if buffer.count < levels * plane {
                buffer.deallocate()
                buffer = .allocate(capacity: levels * plane)
            }
            let values = UnsafeMutableBufferPointer(rebasing: buffer[0..<(levels * plane)])
            try dataset.read(v, start: (hasTime ? [timeIndex] : []) + (variable.hasDepth ? [0, 0, 0] : [0, 0]),
                             count: (hasTime ? [1] : []) + (variable.hasDepth ? [levels, h, w] : [h, w]), into: values,
                             parallel: parallel)
            found.reorder(values.baseAddress!, planes: levels, height: h, width: w, scratch: scratch.pointer)
            if variable.hasDepth {
                if variable == .thetao { temperatureAxes = axes }
                let sources = try levelSources(model.levels, depths, path: path, variable: v.name, notes: &notes)
                for (level, source) in sources.enumerated() {
                    let dst = state.pointer + model.channel(variable, level: level) * plane
                    let a = values.baseAddress! + source.lower * plane, b = values.baseAddress! + source.upper * plane
                    let w = source.weight
                    if w == 0 {
                        for i in 0..<plane { dst[i] = a[i] * scale + offset }
                    } else {
                        for i in 0..<plane { dst[i] = (a[i] + (b[i] - a[i]) * w) * scale + offset }
                    }
                }
            } else {
                let dst = state.pointer + model.channel(.zos) * plane, v = values.baseAddress!
                for i in 0..<plane { dst[i] = v[i] * scale + offset }
            }
        }
        guard let time else {
            throw ForecastError.inputData(path: path, variable: nil, detail: "no time coordinate: the forecast's reference time is unknown")
        }
        try requireConsistentLand(state, model: model, path: path)
        return InitialState(state: state, referenceTime: time.date, notes: notes)
    }

    /// Where a model level's values come from: file levels `lower` and `upper` mixed by `weight`
    /// (value = lower + (upper - lower) * weight).
    public struct LevelSource: Equatable, Sendable {
        public var lower: Int
        public var upper: Int
        public var weight: Float

        public init(lower: Int, upper: Int, weight: Float) {
            self.lower = lower
            self.upper = upper
            self.weight = weight
        }
    }

    /// Matches model levels to file depths: exactly (within 1e-3 m or 1e-4 relative), else linear interpolation
    /// between the bracketing file levels; a level outside the file's depths is an error.
    public static func levelSources(_ levels: [Double], _ depths: [Double], path: String, variable: String,
                                    notes: inout [String]) throws -> [LevelSource] {
        try levels.map { level in
            if let exact = depths.firstIndex(where: { abs($0 - level) <= max(1e-3, 1e-4 * level) }) {
                return LevelSource(lower: exact, upper: exact, weight: 0)
            }
            let ascending = depths.enumerated().sorted { $0.element < $1.element }
            guard let above = ascending.last(where: { $0.element < level }), let below = ascending.first(where: { $0.element > level }) else {
                throw ForecastError.inputData(path: path, variable: variable, detail: """
                    has no depths around the model's level \(level) m (file depths \(depths.map { "\($0)" }.joined(separator: ", ")) m)
                    """)
            }
            let weight = (level - above.element) / (below.element - above.element)
            notes.append("\(variable): model level \(level) m interpolated linearly between file depths \(above.element) m and \(below.element) m")
            return LevelSource(lower: above.offset, upper: below.offset, weight: Float(weight))
        }
    }

    /// Land is where the initial state is NaN; every 3-D variable must agree level by level, and zos with the
    /// surface level. A value missing inside the ocean would otherwise be forecast from garbage.
    /// No ocean variable in forecastd's units (degC, 1e-3, m s-1, m) comes near this magnitude: a value beyond
    /// it, or infinite, is damage, not ocean.
    static let plausibleMagnitude: Float = 1_000

    static func requireConsistentLand(_ state: Tensor, model: some OceanStateGrid, path: String) throws {
        let plane = state.shape[1] * state.shape[2], p = state.pointer, limit = plausibleMagnitude
        // Each test is a branch-free pass over a plane (vectorised); the cell is looked for only when one fails.
        // abs(v) > limit is false for NaN (land).
        func anyImplausible(_ values: UnsafePointer<Float>) -> Bool {
            var bad: UInt8 = 0
            for i in 0..<plane { bad |= abs(values[i]) > limit ? 1 : 0 }
            return bad != 0
        }
        func landDiffers(_ a: Int, _ b: Int) -> Bool {
            let pa = UnsafePointer(p + a * plane), pb = UnsafePointer(p + b * plane)
            var differs: UInt8 = 0
            for i in 0..<plane { differs |= (pa[i] != pa[i]) != (pb[i] != pb[i]) ? 1 : 0 }
            return differs != 0
        }
        for channel in 0..<state.shape[0] where anyImplausible(p + channel * plane) {
            let index = (channel * plane..<(channel + 1) * plane).first { abs(p[$0]) > limit }!
            let cell = index % plane
            let variable = OceanVariable.allCases[min(channel / max(1, model.levels.count), OceanVariable.allCases.count - 1)]
            throw ForecastError.inputData(path: path, variable: variable.rawValue, detail: """
                \(p[index]) at state channel \(channel), cell (\(cell / state.shape[2]), \(cell % state.shape[2])) \
                is not a physical ocean value (magnitude above \(plausibleMagnitude) after unit conversion)
                """)
        }
        func isNaN(_ channel: Int, _ i: Int) -> Bool { p[channel * plane + i].isNaN }
        for level in 0..<model.levels.count {
            let reference = model.channel(.thetao, level: level)
            for variable in [OceanVariable.uo, .vo, .so] {
                let c = model.channel(variable, level: level)
                if landDiffers(c, reference), let i = (0..<plane).first(where: { isNaN(c, $0) != isNaN(reference, $0) }) {
                    throw ForecastError.inputData(path: path, variable: variable.rawValue, detail: """
                        is \(isNaN(c, i) ? "NaN inside the ocean" : "defined on land") at level \(model.levels[level]) m, \
                        cell (\(i / state.shape[2]), \(i % state.shape[2])), where thetao is \(isNaN(reference, i) ? "missing" : "defined")
                        """)
                }
            }
        }
        let surface = model.channel(.thetao, level: 0), zos = model.channel(.zos)
        if landDiffers(zos, surface), let i = (0..<plane).first(where: { isNaN(zos, $0) != isNaN(surface, $0) }) {
            throw ForecastError.inputData(path: path, variable: "zos", detail: """
                is \(isNaN(zos, i) ? "NaN inside the ocean" : "defined on land") at cell (\(i / state.shape[2]), \(i % state.shape[2]))
                """)
        }
    }
}
