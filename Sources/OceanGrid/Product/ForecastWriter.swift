import Foundation
import NetCDF

/// Writes a CF-1.8 forecast file day by day: NetCDF-4, deflate + shuffle, one chunk per (time, depth) slice,
/// scalar `forecast_reference_time`, `forecast_period(time)` in hours, CMEMS-style `bulletin_date`.
///
/// netCDF-C defines the file and writes its coordinates; the days' chunks are then compressed on
/// ``ForecastLayout/writerThreads`` threads and stored whole (``ChunkStore``), and netCDF-C reopens the file at the
/// end for the checksum attributes.
///
/// The file is written under a temporary name in the target folder and renamed into place by ``finish()``:
/// a reader never sees a half-written forecast, and a writer dropped without finishing removes its
/// temporary file.
public final class ForecastWriter {
    /// The final path.
    public var path: String { output.path }
    /// Where the file is written until it is complete.
    public var temporaryPath: String { output.temporaryPath }
    private let output: AtomicOutput
    private let layout: ForecastLayout
    private let chunks: ChunkStore
    private let time: ChunkStore.Dataset
    private let period: ChunkStore.Dataset
    private var variables: [String: (dataset: ChunkStore.Dataset, definition: ForecastVariable)] = [:]
    private var finished = false
    /// Checksums of what has been stored, by variable name.
    private var checksums: [String: ContentChecksum] = [:]
    /// Days encoded so far (each stored, or to be stored, in that order).
    public private(set) var daysEncoded = 0

    /// Creates the temporary file and defines everything; fails if the folder is not writable.
    public init(path: String, layout: ForecastLayout) throws {
        self.layout = layout
        let output = try AtomicOutput(path: path)
        self.output = output
        let file = try NetCDFFile.create(output.temporaryPath)
        do {
            var defined: [String: ForecastVariable] = [:]
            try Self.define(file: file, layout: layout, variables: &defined)
            try file.endDefinitions()
            checksums = try Self.writeCoordinates(file: file, layout: layout)
            try file.close()
            chunks = try ChunkStore(path: output.temporaryPath, shownPath: path)
            (time, period) = (try chunks.dataset("time"), try chunks.dataset("forecast_period"))
            for (name, definition) in defined { variables[name] = (try chunks.dataset(name), definition) }
        } catch {
            try? file.close()
            output.abandon()
            throw Self.writeFailure(error, path: path)
        }
    }

    private static func define(file: NetCDFFile, layout: ForecastLayout, variables: inout [String: ForecastVariable]) throws {
        let root = file.root
        let timeDim = try root.defineDimension("time", length: nil)
        let depthDim = layout.depths.isEmpty ? nil : try root.defineDimension("depth", length: layout.depths.count)
        let latDim = try root.defineDimension("latitude", length: layout.latitudes.count)
        let lonDim = try root.defineDimension("longitude", length: layout.longitudes.count)

        let time = try root.defineVariable("time", type: .double, dimensions: [timeDim])
        try time.setAttribute("standard_name", .text("time"))
        try time.setAttribute("long_name", .text("Time"))
        try time.setAttribute("units", .text(ForecastLayout.timeUnits.description))
        try time.setAttribute("calendar", .text("gregorian"))
        try time.setAttribute("axis", .text("T"))
        if let depthDim {
            let depth = try root.defineVariable("depth", type: .float, dimensions: [depthDim])
            try depth.setAttribute("standard_name", .text("depth"))
            try depth.setAttribute("long_name", .text("Depth"))
            try depth.setAttribute("units", .text("m"))
            try depth.setAttribute("positive", .text("down"))
            try depth.setAttribute("axis", .text("Z"))
        }
        let lat = try root.defineVariable("latitude", type: .float, dimensions: [latDim])
        try lat.setAttribute("standard_name", .text("latitude"))
        try lat.setAttribute("long_name", .text("Latitude"))
        try lat.setAttribute("units", .text("degrees_north"))
        try lat.setAttribute("axis", .text("Y"))
        let lon = try root.defineVariable("longitude", type: .float, dimensions: [lonDim])
        try lon.setAttribute("standard_name", .text("longitude"))
        try lon.setAttribute("long_name", .text("Longitude"))
        try lon.setAttribute("units", .text("degrees_east"))
        try lon.setAttribute("axis", .text("X"))

        let reference = try root.defineVariable("forecast_reference_time", type: .double, dimensions: [])
        try reference.setAttribute("standard_name", .text("forecast_reference_time"))
        try reference.setAttribute("long_name", .text("Initial time of the forecast"))
        try reference.setAttribute("units", .text(ForecastLayout.timeUnits.description))
        try reference.setAttribute("calendar", .text("gregorian"))
        let period = try root.defineVariable("forecast_period", type: .float, dimensions: [timeDim])
        try period.setAttribute("standard_name", .text("forecast_period"))
        try period.setAttribute("long_name", .text("Lead time"))
        try period.setAttribute("units", .text("hours"))

        if layout.realization != nil {
            let realization = try root.defineVariable("realization", type: .int, dimensions: [])
            try realization.setAttribute("standard_name", .text("realization"))
            try realization.setAttribute("long_name", .text("Ensemble member"))
            try realization.setAttribute("units", .text("1"))
        }
        for v in layout.variables {
            let dims = v.hasDepth ? [timeDim, depthDim, latDim, lonDim].compactMap { $0 } : [timeDim, latDim, lonDim]
            guard !v.hasDepth || depthDim != nil else {
                throw NetCDFError.cannotWrite(path: file.path, detail: "'\(v.name)' has depth but the layout has no levels")
            }
            let type: NetCDFType = layout.encoding == .int16 ? .short : .float
            let variable = try root.defineVariable(v.name, type: type, dimensions: dims)
            let chunks = v.hasDepth ? [1, 1, layout.latitudes.count, layout.longitudes.count]
                                    : [1, layout.latitudes.count, layout.longitudes.count]
            let fill = layout.encoding == .int16 ? Double(ForecastLayout.shortFill) : Double(ForecastLayout.floatFill)
            try variable.setStorage(chunks: chunks, deflateLevel: layout.deflateLevel, fill: fill)
            if let bits = layout.quantizeBits[v.name], layout.encoding == .float32 { try variable.setQuantize(bits: bits) }
            try variable.setAttribute("standard_name", .text(v.standardName))
            try variable.setAttribute("long_name", .text(v.longName))
            try variable.setAttribute("units", .text(v.units))
            if layout.realization != nil { try variable.setAttribute("coordinates", .text("realization")) }
            if layout.encoding == .int16 {
                let (scale, offset) = ForecastLayout.packing(v.packingRange)
                try variable.setAttribute("scale_factor", .numbers([scale], type: .float))
                try variable.setAttribute("add_offset", .numbers([offset], type: .float))
                try variable.setAttribute("missing_value", .numbers([fill], type: .short))
            } else {
                try variable.setAttribute("missing_value", .numbers([fill], type: .float))
            }
            variables[v.name] = v
        }

        try root.setAttribute("Conventions", .text("CF-1.8"))
        try root.setAttribute("title", .text(layout.title))
        try root.setAttribute("institution", .text(layout.institution))
        try root.setAttribute("source", .text(layout.source))
        try root.setAttribute("history", .text(layout.history))
        if let inputs = layout.inputs { try root.setAttribute(InputIdentity.attribute, .text(inputs)) }
        if let precision = layout.precision { try root.setAttribute("forecastd_precision", .text(precision)) }
        if let path = layout.instructionPath { try root.setAttribute("forecastd_instruction_path", .text(path)) }
        if let ensemble = layout.ensemble { try root.setAttribute("forecastd_ensemble", .text(ensemble)) }
        try root.setAttribute("references", .text(layout.references))
        try root.setAttribute("bulletin_date", .text(layout.referenceTime.description.replacingOccurrences(of: "T", with: " ")))
    }

    /// Writes the coordinates and returns their checksums (of the values as stored: floats for the axes).
    private static func writeCoordinates(file: NetCDFFile, layout: ForecastLayout) throws -> [String: ContentChecksum] {
        var checksums: [String: ContentChecksum] = [:]
        let root = file.root
        var coordinates = [("latitude", layout.latitudes), ("longitude", layout.longitudes)]
        if !layout.depths.isEmpty { coordinates.append(("depth", layout.depths)) }
        for (name, values) in coordinates {
            try root.variable(name).write(values, start: [0], count: [values.count])
            checksums[name, default: ContentChecksum()].add(values.map { Double(Float($0)) })
        }
        let reference = ForecastLayout.timeUnits.value(layout.referenceTime)
        try root.variable("forecast_reference_time").write([reference], start: [], count: [])
        checksums["forecast_reference_time", default: ContentChecksum()].add([reference])
        if let member = layout.realization {
            try root.variable("realization").write([Double(member)], start: [], count: [])
            checksums["realization", default: ContentChecksum()].add([Double(member)])
        }
        return checksums
    }

    /// Writes one day: `values[name]` holds the variable's `[depth, latitude, longitude]` (or `[latitude,
    /// longitude]`) field with NaN where there is no data. Days are written in order from 0.
    public func writeDay(leadHours: Double, values: [String: [Float]]) throws {
        var buffers: [String: UnsafeMutableBufferPointer<Float>] = [:]
        defer { buffers.values.forEach { $0.deallocate() } }
        for (name, field) in values {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: field.count)
            _ = buffer.initialize(from: field)
            buffers[name] = buffer
        }
        try writeDay(leadHours: leadHours, fields: buffers)
    }

    /// Writes one day from buffers the caller owns, without copying them or changing them. Shapes and order as
    /// ``writeDay(leadHours:values:)``. The chunks are encoded on ``ForecastLayout/writerThreads`` threads.
    public func writeDay(leadHours: Double, fields values: [String: UnsafeMutableBufferPointer<Float>]) throws {
        try store(encode(leadHours: leadHours, fields: values.mapValues { UnsafeBufferPointer($0) },
                         parallel: ChunkStore.concurrent(threads: layout.writerThreads)))
    }

    /// A day's values encoded as the file stores them, waiting for ``store(_:)``. `@unchecked Sendable`: made on
    /// one thread, then handed whole to the one that stores it.
    public final class EncodedDay: @unchecked Sendable {
        let day: Int
        let time: Double, period: Double
        let variables: [ChunkStore.EncodedChunks]

        init(day: Int, time: Double, period: Double, variables: [ChunkStore.EncodedChunks]) {
            (self.day, self.time, self.period, self.variables) = (day, time, period, variables)
        }
    }

    /// Encodes the next day (days in order from 0) from `values` (shapes as ``writeDay(leadHours:values:)``),
    /// left as they are (float32 values are stored, fill value and rounding, as they go into the chunks), its
    /// chunks and checksums as `parallel` runs them (a forecast's own compute threads, between its days);
    /// ``store(_:)`` then stores the day, on another thread if the caller likes, while the next day computes.
    public func encode(leadHours: Double, fields values: [String: UnsafeBufferPointer<Float>],
                       parallel: ChunkStore.ParallelTasks) throws -> EncodedDay {
        do { return try encodeDay(leadHours: leadHours, fields: values, parallel: parallel) } catch { throw writeFailure(error) }
    }

    /// Stores a day ``encode(leadHours:fields:parallel:)`` made; days are stored in the order they were encoded.
    public func store(_ encoded: EncodedDay) throws {
        do {
            for (dataset, value) in [(time, encoded.time), (period, encoded.period)] {
                try chunks.extend(dataset, to: encoded.day + 1)
                try chunks.write(value, at: encoded.day, of: dataset)
            }
            for variable in encoded.variables {
                try chunks.extend(variable.dataset, to: encoded.day + 1)
                try chunks.store(variable)
            }
        } catch { throw writeFailure(error) }
    }

    private func encodeDay(leadHours: Double, fields values: [String: UnsafeBufferPointer<Float>],
                           parallel: ChunkStore.ParallelTasks) throws -> EncodedDay {
        let day = daysEncoded
        let date = CFDateTime(secondsSince1970: layout.referenceTime.secondsSince1970 + leadHours * 3600, calendar: .standard)
        let timeValue = ForecastLayout.timeUnits.value(date), periodValue = Double(Float(leadHours))
        let ny = layout.latitudes.count, nx = layout.longitudes.count, nz = layout.depths.count, plane = ny * nx
        var encoded: [ChunkStore.EncodedChunks] = []
        var stored: [(name: String, values: UnsafeBufferPointer<Float>, as: StoredFloats)] = []
        for (name, entry) in variables.sorted(by: { $0.key < $1.key }) {
            guard let field = values[name] else {
                throw NetCDFError.cannotWrite(path: path, detail: "day \(day + 1): no values for '\(name)'")
            }
            let levels = entry.definition.hasDepth ? nz : 1
            guard field.count == levels * plane else {
                throw NetCDFError.cannotWrite(path: path, detail: "day \(day + 1): '\(name)' has \(field.count) values, expected \(levels * plane)")
            }
            let hasDepth = entry.definition.hasDepth
            func encode(_ data: UnsafeRawPointer, elementSize: Int, storing floats: StoredFloats? = nil) throws {
                encoded.append(try chunks.encode(entry.dataset, chunks: data, count: levels, bytes: plane * elementSize, elementSize: elementSize,
                                                 parallel: parallel, storing: floats) { hasDepth ? [day, $0, 0, 0] : [day, 0, 0] })
            }
            switch layout.encoding {
            case .float32:
                let floats = layout.storedFloats(name)
                try encode(UnsafeRawPointer(field.baseAddress!), elementSize: 4, storing: floats)
                stored.append((name, field, floats))
            case .int16:
                let (scale, offset) = ForecastLayout.packing(entry.definition.packingRange)
                let packed = field.map { v -> Int16 in
                    guard !v.isNaN else { return ForecastLayout.shortFill }
                    return Int16(max(-32766, min(32766, ((Double(v) - offset) / scale).rounded())))
                }
                try packed.withUnsafeBytes { try encode($0.baseAddress!, elementSize: 2) }
                checksums[name, default: ContentChecksum()].add(packed.lazy.map(Double.init))
            }
        }
        // Checksums of the values as stored, continued from the earlier days: one variable per task.
        var sums = stored.map { checksums[$0.name, default: ContentChecksum()] }
        sums.withUnsafeMutableBufferPointer { sums in
            parallel(stored.count) { k in sums[k].add(floats: stored[k].values, storedAs: stored[k].as) }
        }
        for (k, entry) in stored.enumerated() { checksums[entry.name] = sums[k] }
        checksums["time", default: ContentChecksum()].add([timeValue])
        checksums["forecast_period", default: ContentChecksum()].add([periodValue])
        daysEncoded += 1
        return EncodedDay(day: day, time: timeValue, period: periodValue, variables: encoded)
    }

    /// Closes the file and renames it into place. Until this returns, no file exists at ``path``.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        do {
            try chunks.close()
            let file = try NetCDFFile.openForWriting(temporaryPath)
            defer { try? file.close() }
            for (name, checksum) in checksums {
                try file.root.variable(name).setAttribute(ContentChecksum.attribute, .text(checksum.text))
            }
            try file.close()
            try output.commit()
        } catch {
            output.abandon()
            throw writeFailure(error)
        }
    }

    /// A library error while writing, reworded to name the output (not its temporary) and what usually causes it.
    func writeFailure(_ error: any Error) -> any Error { Self.writeFailure(error, path: path) }

    private static func writeFailure(_ error: any Error, path: String) -> any Error {
        guard case NetCDFError.library(_, let operation, _, let message) = error else { return error }
        return NetCDFError.cannotWrite(path: path, detail: """
            \(operation) failed (\(message)): the disk may be full or over quota, or the file beyond the size limit; \
            nothing was left behind
            """)
    }

    /// Stops writing and removes the temporary file; nothing is left behind.
    public func abandon() {
        guard !finished else { return }
        finished = true
        try? chunks.close()
        output.abandon()
    }

    deinit { abandon() }
}
