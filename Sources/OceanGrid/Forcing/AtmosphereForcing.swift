import NetCDF
import Tensor

/// What to do for a forecast day the forcing file does not cover.
public enum ForcingMode: String, Sendable, CaseIterable, Codable {
    /// Every day must be in the file (the default): a missing day is an error before any compute.
    case strict
    /// A missing day reuses the latest earlier day in the file.
    case persist
    /// A missing day uses the mean of every day in the file.
    case climatology
}

/// Daily-mean atmospheric forcing (ERA5-style: u10 v10 msl t2m d2m ssr strd mtpr) on the model's grid, read
/// one forecast day at a time and converted to SI units (accumulated J m-2 to W m-2, degC to K, hPa to Pa,
/// metres of water per day to kg m-2 s-1).
///
/// An ensemble's forcing holds members along a `realization` dimension (ERA5's `number`, or any dimension CF
/// metadata marks so), before or after time; a variable without it is the same for every member.
public final class AtmosphereForcing {
    public let path: String
    /// Conversions applied, for the log.
    public let notes: [String]
    /// Members along the file's realization dimension (1 without one).
    public let members: Int
    /// The realization dimension's name, when the file has one.
    public let memberDimension: String?
    private let dataset: CFDataset
    private let variables: [Variable]
    private let conversions: [(scale: Float, offset: Float)]
    private let dates: [CFDateTime]
    /// Per variable, the position of its time and realization dimensions (nil: it has none).
    private let axes: [(time: Int?, member: Int?)]
    private let height: Int, width: Int
    private let placement: GridPlacement
    private let scratch: Tensor

    static let lookup: [(name: String, standard: [String], names: [String], quantity: PhysicalQuantity)] = [
        ("u10", ["eastward_wind"], ["u10", "10u", "uas"], .velocity),
        ("v10", ["northward_wind"], ["v10", "10v", "vas"], .velocity),
        ("msl", ["air_pressure_at_mean_sea_level"], ["msl", "psl", "slp"], .pressure),
        ("t2m", ["air_temperature"], ["t2m", "2t", "tas"], .airTemperature),
        ("d2m", ["dew_point_temperature"], ["d2m", "2d", "tdps"], .airTemperature),
        ("ssr", ["surface_net_downward_shortwave_flux"], ["ssr", "rsns"], .radiation),
        ("strd", ["surface_downwelling_longwave_flux_in_air"], ["strd", "rlds"], .radiation),
        ("mtpr", ["precipitation_flux"], ["mtpr", "pr", "tp"], .precipitation),
    ]

    /// Opens `path` and checks every variable against the model's grid. An accumulated field (J m-2, m of water)
    /// is converted over the period its `cell_methods` states, else over `accumulation`; when both say, they must
    /// agree, and when neither does it is refused.
    public init(path: String, model: some OceanStateGrid, names: [String: String] = [:], accumulation: AccumulationPeriod? = nil) throws {
        self.path = path
        dataset = try CFDataset(path: path)
        height = model.latitudes.count
        width = model.longitudes.count
        var variables: [Variable] = [], conversions: [(Float, Float)] = [], notes: [String] = [], axes: [(Int?, Int?)] = []
        var dates: [CFDateTime]?
        var placement: GridPlacement?
        var members: (name: String, count: Int)?
        for entry in Self.lookup {
            let v = try dataset.find(entry.name, override: names[entry.name], standardNames: entry.standard, names: entry.names)
            let found = try dataset.placement(of: v, latitudes: model.latitudes, longitudes: model.longitudes)
            if let placement, placement != found {
                throw ForecastError.inputData(path: path, variable: v.name, detail: "lies on the model's points in another order than the other forcing variables")
            }
            if placement == nil, let note = found.note { notes.append("\(path): \(note)") }
            placement = found
            let kinds = try dataset.axisKinds(of: v), leading = kinds.dropLast(2)
            let time = leading.firstIndex(of: .time), member = leading.firstIndex(of: .realization)
            if kinds.count < 2 || kinds.suffix(2) != [.latitude, .longitude] || leading.count != [time, member].compactMap({ $0 }).count {
                try dataset.requireDimensions(v, [.time, .latitude, .longitude])
            }
            if let member {
                let dimension = v.dimensions[member]
                if let members, members != (dimension.name, dimension.length) {
                    throw ForecastError.inputData(path: path, variable: v.name, detail: "has \(dimension.length) members along '\(dimension.name)', "
                                                  + "other forcing variables \(members.count) along '\(members.name)'")
                }
                members = (dimension.name, dimension.length)
            }
            axes.append((time, member))
            if let axis = try dataset.timeAxis(of: v) {
                if let dates, dates != axis.dates {
                    throw ForecastError.inputData(path: path, variable: v.name, detail: "has other time steps than the other forcing variables")
                }
                dates = axis.dates
            }
            let attributes = try v.attributes()
            let stated = attributes["cell_methods"]?.text.flatMap(AccumulationPeriod.init(cellMethods:))
            if let stated, let accumulation, stated.seconds != accumulation.seconds {
                throw ForecastError.inputData(path: path, variable: v.name, detail: "accumulates over \(stated) by its \(stated.source), "
                                              + "but the request says \(accumulation); correct one of them")
            }
            let (scale, offset, note) = try entry.quantity.requireConversion(from: attributes["units"]?.text ?? "", path: path,
                                                                             variable: v.name, accumulation: stated ?? accumulation)
            if let note { notes.append(note) }
            variables.append(v)
            conversions.append((scale, offset))
        }
        guard let dates, !dates.isEmpty else {
            throw ForecastError.inputData(path: path, variable: nil, detail: "no time coordinate: which day is which is unknown")
        }
        if let members, members.count > 1 {
            notes.append("\(path): \(members.count) members along '\(members.name)': member k of the ensemble is forced by member k")
        }
        self.variables = variables
        self.conversions = conversions
        self.dates = dates
        self.axes = axes
        self.members = members?.count ?? 1
        memberDimension = members?.name
        self.notes = notes
        self.placement = placement ?? .identity
        scratch = Tensor(zeros: [height * width])
    }

    /// The time step for `date`: the one within 12 hours of it.
    func index(of date: CFDateTime) -> Int? {
        let target = date.secondsSince1970
        return dates.firstIndex { abs($0.secondsSince1970 - target) <= 12 * 3600 }
    }

    /// The dates of `days` forecast days after `reference` that the file lacks.
    public func missingDays(after reference: CFDateTime, days: Int) -> [CFDateTime] {
        (1...max(days, 1)).map { Self.date(reference, plus: $0) }.filter { index(of: $0) == nil }
    }

    /// `reference` plus `days` days.
    public static func date(_ reference: CFDateTime, plus days: Int) -> CFDateTime {
        CFDateTime(secondsSince1970: reference.secondsSince1970 + Double(days) * 86_400, calendar: reference.calendar)
    }

    /// Reads the forcing of `date` for `member` (0-based; ignored without members) into `fields` (eight
    /// `[H * W]` tensors in AtmosphereDay order), falling back as `mode` says when the file lacks the day.
    public func read(_ date: CFDateTime, mode: ForcingMode, member: Int = 0, into day: AtmosphereDay) throws {
        precondition((0..<members).contains(member), "forcing member \(member) of \(members)")
        let fields = day.fields
        if let t = index(of: date) {
            for (i, v) in variables.enumerated() { try read(v, step: t, member: member, variable: i, into: fields[i]) }
            return
        }
        switch mode {
        case .strict:
            throw ForecastError.forcingDaysMissing(path: path, missing: ["\(date)"])
        case .persist:
            let earlier = dates.lastIndex { $0 < date } ?? 0
            for (i, v) in variables.enumerated() { try read(v, step: earlier, member: member, variable: i, into: fields[i]) }
        case .climatology:
            let oneDay = Tensor(zeros: [height * width])
            for (i, v) in variables.enumerated() {
                fields[i].fill(0)
                for t in dates.indices {
                    try read(v, step: t, member: member, variable: i, into: oneDay)
                    Elementwise.axpy(alpha: 1 / Float(dates.count), x: oneDay, y: fields[i])
                }
            }
        }
    }

    /// ``read(_:mode:member:into:)``, then ``requirePhysical(_:date:member:ocean:)``.
    public func readChecked(_ date: CFDateTime, mode: ForcingMode, member: Int = 0, into day: AtmosphereDay, ocean: Tensor) throws {
        try read(date, mode: mode, member: member, into: day)
        try requirePhysical(day, date: date, member: member, ocean: ocean)
    }

    private func read(_ v: Variable, step: Int, member: Int, variable i: Int, into field: Tensor) throws {
        var start = [Int](repeating: 0, count: v.dimensions.count), count = start.map { _ in 1 }
        (count[count.count - 2], count[count.count - 1]) = (height, width)
        if let t = axes[i].time { start[t] = step }
        if let m = axes[i].member { start[m] = member }
        let (scale, offset) = conversions[i]
        try dataset.read(v, start: start, count: count, into: UnsafeMutableBufferPointer(start: field.pointer, count: field.count))
        placement.reorder(field.pointer, planes: 1, height: height, width: width, scratch: scratch.pointer)
        if scale != 1 || offset != 0 {
            for k in 0..<field.count { field.pointer[k] = field.pointer[k] * scale + offset }
        }
    }

    /// The physical range of each forcing field once in forecastd's units (m s-1, Pa, K, W m-2, kg m-2 s-1),
    /// wide enough for any real atmosphere: a value outside it (or not finite) over the ocean is a damaged or
    /// mislabelled file, and is refused rather than turned into a forecast of NaN.
    public static let physicalRanges: [String: ClosedRange<Float>] = [
        "u10": -150...150, "v10": -150...150, "msl": 20_000...120_000, "t2m": 150...350, "d2m": 150...350,
        "ssr": -50...2_000, "strd": -50...1_000, "mtpr": -0.01...0.2,
    ]

    /// Throws naming the file, variable, day (and member) and cell when a field of `day` holds a value outside its
    /// physical range (or not finite) at an ocean cell: `ocean` is `[H * W]`, non-zero over the ocean.
    public func requirePhysical(_ day: AtmosphereDay, date: CFDateTime, member: Int = 0, ocean: Tensor) throws {
        let wet = ocean.pointer
        for (index, field) in day.fields.enumerated() {
            let name = Self.lookup[index].name, range = Self.physicalRanges[name]!, values = field.pointer
            guard let cell = (0..<field.count).first(where: { wet[$0] != 0 && !range.contains(values[$0]) }) else { continue }
            throw ForecastError.inputData(path: path, variable: variables[index].name, detail: """
                day \(date)\(members > 1 ? ", member \(member + 1) of \(members)" : ""): \(values[cell]) at ocean cell (\(cell / width), \(cell % width)) is outside the physical range \
                \(range.lowerBound)...\(range.upperBound) of \(name) (in m s-1, Pa, K, W m-2 or kg m-2 s-1 after unit conversion)
                """)
        }
    }
}
