import Foundation
import NetCDF
import OceanGrid

/// `forecastd bench io`: writing one deflated forecast day of a WenHai-sized state (4 x levels + 1 channels
/// on a 1/4-degree global grid) and reading it back decoded, against netCDF-C's own deflate of the same data at
/// the same level (the same file written through nc_put_vara), xarray / netCDF4-python and `nccopy` on the same
/// file in the same run.
struct IOBenchmark {
    let latitudes: Int
    let longitudes: Int
    let levels: Int
    let repetitions: Int
    let deflateLevel: Int
    let folder: String
    /// Threads that compress the day's chunks.
    let threads: Int

    func run() throws -> BenchmarkReport {
        var layout = self.layout()
        layout.deflateLevel = deflateLevel
        layout.writerThreads = threads
        let fields = syntheticDay()
        let path = folder + "/bench-io-day.nc"
        let copy = folder + "/bench-io-copy.nc"
        let library = folder + "/bench-io-netcdf-c.nc"
        defer {
            for file in [path, copy, library] { try? FileManager.default.removeItem(atPath: file) }
        }
        let channels = 4 * levels + 1
        let bytes = Double(channels * latitudes * longitudes * 4)
        var writeTiming = Timing(), readTiming = Timing(), xarrayTiming = Timing(), xarrayWriteTiming = Timing(), nccopyTiming = Timing()
        var libraryTiming = Timing()
        let python = Self.available("python3", ["-c", "import xarray, netCDF4"])
        let nccopy = Self.available("nccopy", [])
        // The forecast hands the writer its own buffers (no copy), as here.
        let buffers = fields.mapValues { field in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: field.count)
            _ = buffer.initialize(from: field)
            return buffer
        }
        defer { buffers.values.forEach { $0.deallocate() } }
        for _ in 0..<repetitions {
            writeTiming.seconds.append(try Timing.measure {
                let writer = try ForecastWriter(path: path, layout: layout)
                try writer.writeDay(leadHours: 24, fields: buffers)
                try writer.finish()
            })
            libraryTiming.seconds.append(try Timing.measure { try netCDFWrite(library, layout: layout, fields: fields) })
            readTiming.seconds.append(try Timing.measure { try readAll(path) })
            if python, let s = Self.pythonSeconds(path, copy: copy, deflateLevel: deflateLevel) {
                xarrayTiming.seconds.append(s.read)
                xarrayWriteTiming.seconds.append(s.write)
            }
            if nccopy {
                nccopyTiming.seconds.append(try Timing.measure {
                    _ = Self.runTool("nccopy", ["-d", "\(max(deflateLevel, 1))", "-s", path, copy])
                })
            }
        }
        let size = "\(channels) ch x \(latitudes)x\(longitudes)"
        func rate(_ t: Timing) -> Double { bytes / t.median / 1e9 }
        var results: [BenchmarkResult] = []
        let xarrayRate = xarrayTiming.seconds.isEmpty ? Double.nan : rate(xarrayTiming)
        let nccopyRate = nccopyTiming.seconds.isEmpty ? Double.nan : rate(nccopyTiming)
        results.append(BenchmarkResult("read_decoded", size, 1, readTiming, rate: rate(readTiming), unit: "GB/s",
                                       reference: "xarray open_dataset().load()", referenceRate: xarrayRate,
                                       note: python ? "float32 values delivered" : "xarray not installed: no reference"))
        func megabytes(_ file: String) -> Double {
            Double((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) / 1e6
        }
        results.append(BenchmarkResult("write_deflated_day", size, threads, writeTiming, rate: rate(writeTiming), unit: "GB/s",
                                       reference: "netCDF-C deflate \(deflateLevel), same data", referenceRate: rate(libraryTiming),
                                       note: String(format: "goal >= 4x; %.1f MB against netCDF-C's %.1f MB", megabytes(path), megabytes(library))))
        results.append(BenchmarkResult("write_deflated_day", size, threads, writeTiming, rate: rate(writeTiming), unit: "GB/s",
                                       reference: "nccopy -d \(max(deflateLevel, 1)) -s (read + write)", referenceRate: nccopyRate,
                                       note: nccopy ? "deflate \(deflateLevel) + shuffle + Fletcher-32, chunk per level" : "nccopy not installed"))
        if !xarrayWriteTiming.seconds.isEmpty {
            results.append(BenchmarkResult("write_deflated_day", size, threads, writeTiming, rate: rate(writeTiming), unit: "GB/s",
                                           reference: "xarray to_netcdf, same encoding", referenceRate: rate(xarrayWriteTiming),
                                           note: "xarray timed inside Python: the write alone"))
        }
        if !xarrayTiming.seconds.isEmpty {
            results.append(BenchmarkResult("xarray_read", size, 1, xarrayTiming, rate: xarrayRate, unit: "GB/s",
                                           reference: "-", referenceRate: xarrayRate, note: "timed inside Python: open + load"))
        }
        return BenchmarkReport(suite: "io", date: BenchmarkReport.now, machine: BenchmarkReport.machineDescription,
                               threads: 1, repetitions: repetitions, results: results)
    }

    func layout() -> ForecastLayout {
        let lat = (0..<latitudes).map { -90 + (Double($0) + 0.5) * 180 / Double(latitudes) }
        let lon = (0..<longitudes).map { -180 + (Double($0) + 0.5) * 360 / Double(longitudes) }
        let depths = (0..<levels).map { 0.5 * pow(1.35, Double($0)) }
        let variables = [("uo", "eastward_sea_water_velocity", "m s-1", -5.0...5.0), ("vo", "northward_sea_water_velocity", "m s-1", -5...5),
                         ("thetao", "sea_water_potential_temperature", "degrees_C", -5...45), ("so", "sea_water_salinity", "1e-3", 0...50)]
            .map { ForecastVariable(name: $0.0, standardName: $0.1, units: $0.2, longName: $0.0, hasDepth: true, packingRange: $0.3) }
            + [ForecastVariable(name: "zos", standardName: "sea_surface_height_above_geoid", units: "m", longName: "zos",
                                hasDepth: false, packingRange: -5...5)]
        return ForecastLayout(latitudes: lat, longitudes: lon, depths: depths, variables: variables,
                              referenceTime: CFDateTime(year: 2024, month: 1, day: 1, calendar: .standard))
    }

    /// Large-scale fields with a land mask (about 30% land) and seeded small-scale variability of 1% of each
    /// field's range, so that deflate sees the redundancy of a model's output: smooth fields alone leave the
    /// low mantissa bytes predictable, which no forecast does.
    func syntheticDay() -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> Double {  // xorshift64*, uniform in [-0.5, 0.5)
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(1 << 53) - 0.5
        }
        let plane = latitudes * longitudes
        let land = (0..<plane).map { i -> Bool in
            let y = Double(i / longitudes) / Double(latitudes), x = Double(i % longitudes) / Double(longitudes)
            return sin(9 * x) * cos(7 * y) + 0.3 * sin(31 * x + 17 * y) > 0.55
        }
        for (n, name) in ["uo", "vo", "thetao", "so"].enumerated() {
            var values = [Float](repeating: 0, count: levels * plane)
            for k in 0..<levels {
                for i in 0..<plane where !land[i] {
                    let y = Double(i / longitudes) / Double(latitudes), x = Double(i % longitudes) / Double(longitudes)
                    values[k * plane + i] = Float(Double(n * 5) + 10 * cos(3.1 * y) * exp(-Double(k) / 10) + 0.5 * sin(40 * x + Double(k))
                                                  + 0.2 * noise())
                }
                for i in 0..<plane where land[i] { values[k * plane + i] = .nan }
            }
            out[name] = values
        }
        out["zos"] = (0..<plane).map { i in land[i] ? .nan : Float(0.5 * sin(Double(i % longitudes) / 50) + 0.01 * noise()) }
        return out
    }

    /// The day written the way netCDF-C compresses: the same dimensions, chunks, filters and fill, each variable
    /// through one nc_put_vara (libhdf5 runs shuffle, deflate and Fletcher-32 chunk by chunk on this thread).
    func netCDFWrite(_ path: String, layout: ForecastLayout, fields: [String: [Float]]) throws {
        let file = try NetCDFFile.create(path)
        defer { try? file.close() }
        let root = file.root
        let time = try root.defineDimension("time", length: nil), depth = try root.defineDimension("depth", length: levels)
        let lat = try root.defineDimension("latitude", length: latitudes), lon = try root.defineDimension("longitude", length: longitudes)
        for v in layout.variables {
            let variable = try root.defineVariable(v.name, type: .float, dimensions: v.hasDepth ? [time, depth, lat, lon] : [time, lat, lon])
            try variable.setStorage(chunks: v.hasDepth ? [1, 1, latitudes, longitudes] : [1, latitudes, longitudes],
                                    deflateLevel: layout.deflateLevel, fill: Double(ForecastLayout.floatFill))
        }
        try file.endDefinitions()
        for v in layout.variables {
            let values = fields[v.name, default: []].map { $0.isNaN ? ForecastLayout.floatFill : $0 }
            let count = v.hasDepth ? [1, levels, latitudes, longitudes] : [1, latitudes, longitudes]
            try values.withUnsafeBufferPointer { try root.variable(v.name).write($0, start: count.map { _ in 0 }, count: count) }
        }
        try file.close()
    }

    /// Reads every variable decoded into Float32, one level at a time.
    func readAll(_ path: String) throws {
        let dataset = try CFDataset(path: path)
        var buffer = [Float](repeating: 0, count: latitudes * longitudes)
        for variable in dataset.variables where variable.dimensions.count >= 3 {
            let shape = variable.shape
            let levels = shape.count == 4 ? shape[1] : 1
            for k in 0..<levels {
                let start = shape.count == 4 ? [0, k, 0, 0] : [0, 0, 0]
                let count = shape.count == 4 ? [1, 1, shape[2], shape[3]] : [1, shape[1], shape[2]]
                try buffer.withUnsafeMutableBufferPointer { try dataset.read(variable, start: start, count: count, into: $0) }
            }
        }
    }

    static func available(_ program: String, _ arguments: [String]) -> Bool {
        if arguments.isEmpty { return runTool("which", [program]) }
        return runTool(program, arguments)
    }

    @discardableResult
    static func runTool(_ program: String, _ arguments: [String], output: Pipe? = nil) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Seconds xarray (netCDF4 engine) takes to open and load `path`, and to write what it loaded to `copy` with the
    /// same encoding (deflate level, shuffle, one chunk per level), each measured inside Python.
    static func pythonSeconds(_ path: String, copy: String, deflateLevel: Int) -> (read: Double, write: Double)? {
        let script = """
            import time, xarray as xr
            t = time.perf_counter(); ds = xr.open_dataset('\(path)'); ds.load(); read = time.perf_counter() - t
            encoding = {name: {"zlib": \(deflateLevel > 0 ? "True" : "False"), "complevel": \(deflateLevel), "shuffle": True,
                               "chunksizes": (1,) * (var.ndim - 2) + var.shape[-2:]} for name, var in ds.data_vars.items() if var.ndim >= 3}
            t = time.perf_counter(); ds.to_netcdf('\(copy)', encoding=encoding); write = time.perf_counter() - t
            print(read, write)
            """
        let pipe = Pipe()
        guard runTool("python3", ["-c", script], output: pipe) else { return nil }
        let parts = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ")
        guard parts.count == 2, let read = Double(parts[0]), let write = Double(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return (read, write)
    }
}
