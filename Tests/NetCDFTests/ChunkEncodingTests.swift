import CChunks
import CDeflate
import Foundation
@testable import NetCDF
import OceanGrid
import Tensor
import TestSupport
import Testing

/// The chunk encoder on data shaped like a model's output: floats whose two low bytes are noise, land as long
/// runs of the fill value. At the fast levels those byte planes are written as stored and run-coded deflate
/// blocks and the others as Huffman-coded blocks of literals and repeats (runs, the row above, a short period); at
/// the higher levels libdeflate deflates what follows the leading noise. Every inflater must read the stream, and
/// it must stay close to libdeflate's size.
@Suite("Chunk encoding: noise planes stored, runs coded, the rest coded with their repeats")
struct ChunkEncodingTests {
    static let height = 60, width = 1440

    /// A smooth field plus noise of `noise` (relative), NaN on two land stretches along each row of a 1/4-degree
    /// globe (30%).
    static func field(level: Int, noise: Float, seed: UInt64) -> [Float] {
        var random = SplitMix64(state: seed)
        return (0..<(height * width)).map { i in
            let y = i / width, x = i % width
            if (x + 3 * y) % 720 < 216 { return .nan }
            let smooth = 15 + 10 * cos(Float(y) / 60) - Float(level)
            return smooth * (1 + noise * (Float(random.next() % 2_000_000) / 1_000_000 - 1))
        }
    }

    static func encode(_ values: [Float], pipeline filters: [Int32], level: Int32 = 1, row: Int = width) throws -> [UInt8] {
        try encode(bytes: values.withUnsafeBytes { Array($0) }, elementSize: 4, pipeline: filters, level: level, row: row)
    }

    /// `bytes` (elements of `elementSize` bytes, rows of `row` elements) through the pipeline `filters` (1 deflate,
    /// 2 shuffle, 3 Fletcher-32).
    static func encode(bytes data: [UInt8], elementSize: Int32, pipeline filters: [Int32], level: Int32 = 1,
                       row: Int = width) throws -> [UInt8] {
        var pipeline = fd_chunk_pipeline()
        pipeline.count = Int32(filters.count)
        pipeline.deflate_level = level
        pipeline.row = row
        withUnsafeMutableBytes(of: &pipeline.filters) { raw in
            for (i, f) in filters.enumerated() { raw.storeBytes(of: f, toByteOffset: 4 * i, as: Int32.self) }
        }
        let bound = fd_chunk_bound(data.count)
        var out = [UInt8](repeating: 0, count: bound), scratch = [UInt8](repeating: 0, count: bound)
        let size = fd_chunk_encode(&pipeline, data, data.count, elementSize, &out, &scratch)
        try #require(size > 0)
        return Array(out[0..<size])
    }

    /// HDF5's shuffle of `values`: byte j of every element, one run after another.
    static func shuffled(_ values: [Float]) -> [UInt8] {
        let bytes = values.withUnsafeBytes { Array($0) }
        return (0..<4).flatMap { j in stride(from: j, to: bytes.count, by: 4).map { bytes[$0] } }
    }

    @Test("Noise planes: the stream opens with stored or run-coded blocks, not deflate's, and inflates to the shuffled bytes; Fletcher-32 as HDF5's")
    func noisePlanes() throws {
        let values = Self.field(level: 0, noise: 1e-3, seed: 7).map { $0.isNaN ? ForecastLayout.floatFill : $0 }
        let encoded = try Self.encode(values, pipeline: [2, 1, 3])  // shuffle, deflate, Fletcher-32
        #expect(encoded[0] == 0x78 && (Int(encoded[0]) << 8 | Int(encoded[1])) % 31 == 0, "zlib header")
        #expect(encoded[2] & 0x01 == 0 && (encoded[2] >> 1) & 0x03 != 2,
                "the low mantissa bytes open with a non-final stored or fixed-code block, not libdeflate's dynamic one")
        let expected = Self.shuffled(values)
        var inflated = [UInt8](repeating: 0, count: expected.count)
        var produced = 0
        let decompressor = try #require(libdeflate_alloc_decompressor())
        defer { libdeflate_free_decompressor(decompressor) }
        let status = libdeflate_zlib_decompress(decompressor, encoded, encoded.count - 4, &inflated, inflated.count, &produced)
        #expect(status == LIBDEFLATE_SUCCESS && produced == expected.count && inflated == expected)
        let plain = try Self.encode(values, pipeline: [2, 1])
        #expect(Array(encoded[0..<(encoded.count - 4)]) == plain, "Fletcher-32 only appends its checksum")
        #expect(Array(encoded.suffix(4)) == Self.fletcher32(plain))
    }

    /// HDF5's Fletcher-32 of `plain`, in 32-bit arithmetic, as the filter appends it (little-endian).
    static func fletcher32(_ plain: [UInt8]) -> [UInt8] {
        var sum1: UInt32 = 0, sum2: UInt32 = 0  // Fletcher-32 as HDF5 computes it, in 32-bit arithmetic
        for start in stride(from: 0, to: plain.count / 2, by: 360) {
            for w in start..<min(start + 360, plain.count / 2) {
                sum1 &+= UInt32(plain[2 * w]) << 8 | UInt32(plain[2 * w + 1])
                sum2 &+= sum1
            }
            sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
            sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
        }
        if plain.count % 2 == 1 {
            sum1 &+= UInt32(plain.last!) << 8
            sum2 &+= sum1
            sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
            sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
        }
        sum1 = (sum1 & 0xFFFF) + (sum1 >> 16)
        sum2 = (sum2 & 0xFFFF) + (sum2 >> 16)
        let sum = sum2 << 16 | sum1
        return (0..<4).map { UInt8(truncatingIfNeeded: sum >> (8 * $0)) }
    }

    @Test("Fletcher-32 anywhere in the pipeline: alone, after the shuffle, and before it (the checksum then shuffled with the data)")
    func fletcherInAnyPlace() throws {
        let values = Self.field(level: 2, noise: 1e-2, seed: 5).map { $0.isNaN ? ForecastLayout.floatFill : $0 }
        let raw = values.withUnsafeBytes { Array($0) }
        #expect(try Self.encode(values, pipeline: [3]) == raw + Self.fletcher32(raw))
        let shuffled = Self.shuffled(values)
        #expect(try Self.encode(values, pipeline: [2, 3]) == shuffled + Self.fletcher32(shuffled))
        let sum = Self.fletcher32(raw).withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        #expect(try Self.encode(values, pipeline: [3, 2]) == Self.shuffled(values + [sum]))
    }

    @Test("Fletcher-32 as HDF5 folds it, on every edge: zero sums, sums that are multiples of 65535, odd lengths, lengths around the encoder's blocks of 256 words")
    func fletcherEdges() throws {
        var random = SplitMix64(state: 3)
        var cases: [[UInt8]] = [[0], [0xFF], [0, 0, 0], [UInt8](repeating: 0, count: 4096),
                                [UInt8](repeating: 0xFF, count: 2 * 65535), [UInt8](repeating: 0xFF, count: 2 * 65535 + 1),
                                [0x00, 0x01, 0xFF, 0xFE],  // plain sum 65535, running sum 65536
                                [UInt8](repeating: 0, count: 1024) + [0xFF, 0xFF] + [UInt8](repeating: 0, count: 999)]
        for length in [1, 2, 3, 510, 511, 512, 513, 514, 1023, 1024, 1025, 2161, 100_001] {
            cases.append((0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        for data in cases {
            let encoded = try Self.encode(bytes: data, elementSize: 1, pipeline: [3])
            #expect(encoded == data + Self.fletcher32(data), "\(data.count) bytes starting \(data.prefix(4))")
        }
    }

    @Test("Runs of 1 to 40 equal bytes at every offset inside noise planes inflate back exactly and are coded, not stored")
    func runsAtEveryOffset() throws {
        // Planes 0-2 (the low bytes) are noise with runs of every length 1 ... 40 starting at every offset modulo 8
        // (a run is found through the 8-byte word it covers); plane 3 is deflated.
        var random = SplitMix64(state: 11)
        var low: [UInt8] = []
        for length in 1...40 {
            for offset in 0..<8 {
                while low.count % 8 != offset { low.append(UInt8(truncatingIfNeeded: random.next())) }
                low.append(contentsOf: repeatElement(UInt8(length), count: length))
                low.append(UInt8(length) &+ 1)
            }
        }
        while low.count < 3 * 8192 { low.append(UInt8(truncatingIfNeeded: random.next())) }
        let values = low.indices.map { i -> Float in
            Float(bitPattern: UInt32(low[i]) | UInt32(truncatingIfNeeded: random.next()) & 0x00FF_FF00 | 0x4100_0000)
        }
        let encoded = try Self.encode(values, pipeline: [2, 1])
        #expect(encoded[2] & 0x01 == 0 && (encoded[2] >> 1) & 0x03 != 2, "noise planes open with a stored or fixed-code block")
        let expected = Self.shuffled(values)
        var inflated = [UInt8](repeating: 0, count: expected.count)
        var produced = 0
        let decompressor = try #require(libdeflate_alloc_decompressor())
        defer { libdeflate_free_decompressor(decompressor) }
        let status = libdeflate_zlib_decompress(decompressor, encoded, encoded.count, &inflated, inflated.count, &produced)
        #expect(status == LIBDEFLATE_SUCCESS && produced == expected.count && inflated == expected)
        let runBytes = (16...40).reduce(0) { $0 + 8 * $1 }
        #expect(encoded.count < expected.count - runBytes / 2, "runs of 16 bytes or more are coded: \(encoded.count) bytes")
    }

    /// Inflates a zlib stream with libdeflate; nil when it does not decode to `count` bytes.
    static func inflate(_ encoded: [UInt8], count: Int) throws -> [UInt8]? {
        var inflated = [UInt8](repeating: 0, count: count)
        var produced = 0
        let decompressor = try #require(libdeflate_alloc_decompressor())
        defer { libdeflate_free_decompressor(decompressor) }
        let status = libdeflate_zlib_decompress(decompressor, encoded, encoded.count, &inflated, inflated.count, &produced)
        return status == LIBDEFLATE_SUCCESS && produced == count ? inflated : nil
    }

    static func contains(_ data: [UInt8], _ part: ArraySlice<UInt8>) -> Bool {
        Data(data).range(of: Data(part)) != nil
    }

    @Test("A low byte with fixed bits under a noise byte: Huffman coded ahead of the stored noise at the fast levels, deflated whole by libdeflate at higher ones; netCDF-C reads the file back bit for bit")
    func fixedBitsUnderNoise() throws {
        // Two low bits fixed (64 values in the lowest byte: not noise), the next byte noise. `mixed` is four levels
        // long (its byte planes span three Huffman blocks) and its lowest byte is random outside the middle eighth,
        // where a block's code cannot beat storing it.
        let fixed = Self.field(level: 0, noise: 1e-2, seed: 5).map { $0.isNaN ? ForecastLayout.floatFill : Float(bitPattern: $0.bitPattern & ~3) }
        var random = SplitMix64(state: 3)
        let levels = (0..<4).flatMap { Self.field(level: $0, noise: 1e-2, seed: 20 + UInt64($0)) }, n = levels.count
        let mixed = levels.indices.map { i -> Float in
            let middle = i >= 7 * n / 16 && i < 9 * n / 16
            let low = middle ? UInt32(random.next() % 16) : UInt32(truncatingIfNeeded: random.next()) & 0xFF
            let value = levels[i].isNaN ? ForecastLayout.floatFill : levels[i]
            return Float(bitPattern: value.bitPattern & ~0xFF | low)
        }
        // Bytes 300 ..< 700 of a plane lie in the first row's ocean (no runs of the fill value there).
        func ocean(_ bytes: [UInt8], plane: Int) -> ArraySlice<UInt8> { bytes[(plane + 300)..<(plane + 700)] }
        for values in [fixed, mixed] {
            let expected = Self.shuffled(values), plane = values.count
            let fast = try Self.encode(values, pipeline: [2, 1])
            let inflated = try Self.inflate(fast, count: expected.count) == expected
            #expect(inflated)
            let stored = Self.contains(fast, ocean(expected, plane: plane))
            #expect(stored, "the noise byte plane is stored")
            let whole = try Self.encode(values, pipeline: [2, 1], level: 6)
            let inflatedWhole = try Self.inflate(whole, count: expected.count) == expected
            #expect(inflatedWhole)
            let deflated = !Self.contains(whole, ocean(expected, plane: plane))
            #expect(deflated, "level 6 deflates the planes whole")
            // The high mantissa byte under 1% noise takes a few values at random, whose 3-byte strings recur at any
            // distance: libdeflate's hash finds some of those, the parse at a few distances does not.
            let reference = try Self.libdeflate(expected)
            #expect(Double(fast.count) < 1.10 * Double(reference.count), "\(fast.count) bytes against libdeflate's \(reference.count) at level 1")
        }
        let first = try Self.encode(fixed, pipeline: [2, 1])
        #expect(first[2] & 0x01 == 0 && (first[2] >> 1) & 0x03 == 2, "the fixed-bit byte opens with a non-final dynamic-code block")
        let mixedStream = try Self.encode(mixed, pipeline: [2, 1]), shuffledMixed = Self.shuffled(mixed)
        let storedStretch = Self.contains(mixedStream, ocean(shuffledMixed, plane: 0))
        #expect(storedStretch, "the random blocks of the low byte are stored, not coded")

        let folder = try Scratch.folder(), path = folder + "/fixed.nc"
        let variables = [ForecastVariable(name: "uo", standardName: "eastward_sea_water_velocity", units: "m s-1",
                                          longName: "Eastward velocity", hasDepth: true, packingRange: -5...5)]
        let layout = ForecastLayout(latitudes: (0..<Self.height).map { -89.5 + Double($0) },
                                    longitudes: (0..<Self.width).map { -179.875 + 0.25 * Double($0) }, depths: [0.5, 10, 20, 30, 40],
                                    variables: variables, referenceTime: CFDateTime(year: 2024, month: 1, day: 1, calendar: .standard))
        let writer = try ForecastWriter(path: path, layout: layout)
        try writer.writeDay(leadHours: 24, values: ["uo": fixed + mixed])
        try writer.finish()
        let read = try NetCDFFile.open(path).root.variable("uo").readRaw()  // netCDF-C, inflated by zlib
        #expect(read.count == fixed.count + n && zip(read, fixed + mixed).allSatisfy { Float($0).bitPattern == $1.bitPattern })
    }

    @Test("Random chunks (lowest bytes with fixed bits, few values, runs, noise stretches; noise or not above them; rows unknown, short, wider than deflate's window) inflate back exactly at levels 1 and 6")
    func randomChunks() throws {
        var random = SplitMix64(state: 2027)
        for round in 0..<150 {
            let n = 2048 + Int(random.next() % 60_000), kind = random.next() % 6, above = random.next() % 3
            let values = (0..<n).map { i -> Float in
                let r = random.next()
                let low: UInt64 = switch kind {
                case 0: r & 0xFC
                case 1: r % 3
                case 2: 7
                case 3: UInt64(i / 37) & 0xFF
                case 4: r % 100 < 98 ? 5 : r >> 8 & 0xFF
                default: i % 300 < 150 ? r & 0xF0 : r >> 8 & 0xFF
                }
                let next: UInt64 = above == 1 && i % 1000 < 300 ? 9 : above == 2 ? r >> 16 & 0xFE : r >> 16 & 0xFF
                return Float(bitPattern: UInt32(low | next << 8 | UInt64(i / 1440 & 0xFF) << 16 | 0x41 << 24))
            }
            let expected = Self.shuffled(values), row = [0, 1440, 37, 40_000, 1][round % 5]
            for level: Int32 in [1, 6] {
                let encoded = try Self.encode(values, pipeline: [2, 1], level: level, row: row)
                let inflated = try Self.inflate(encoded, count: expected.count) == expected
                #expect(inflated, "round \(round): \(n) values, lowest byte kind \(kind), next byte kind \(above), rows of \(row), level \(level)")
            }
        }
    }

    /// libdeflate's zlib stream of `bytes` at `level`.
    static func libdeflate(_ bytes: [UInt8], level: Int32 = 1) throws -> [UInt8] {
        let compressor = try #require(libdeflate_alloc_compressor(level))
        defer { libdeflate_free_compressor(compressor) }
        var out = [UInt8](repeating: 0, count: libdeflate_zlib_compress_bound(compressor, bytes.count))
        let size = libdeflate_zlib_compress(compressor, bytes, bytes.count, &out, out.count)
        try #require(size > 0)
        return Array(out[0..<size])
    }

    @Test("Planes whose repeats are runs, the row above or a short period: coded in dynamic blocks at the fast levels, within 5% of libdeflate's level 1 (or smaller), and exact")
    func repeatsAtFewDistances() throws {
        var random = SplitMix64(state: 17)
        let smooth = Self.field(level: 0, noise: 0, seed: 7).map { $0.isNaN ? ForecastLayout.floatFill : $0 }
        // A model's patch artefact: the top mantissa byte repeats every 8 cells of a row, the low bytes are noise.
        let pattern = (0..<8).map { _ in UInt32(random.next() % 256) << 16 }
        let periodic = (0..<(Self.height * Self.width)).map { i in
            Float(bitPattern: 0x4100_0000 | pattern[i % 8] | UInt32(truncatingIfNeeded: random.next()) & 0xFFFF)
        }
        // Rows of random top bytes of 32 values (not noise), each band of 10 rows the same row over again (only the
        // row above repeats them).
        let bands = (0..<(Self.height / 10)).map { _ in (0..<Self.width).map { _ in UInt32(random.next() % 32) << 16 } }
        let rows = (0..<(Self.height * Self.width)).map { i in
            Float(bitPattern: 0x4100_0000 | bands[i / Self.width / 10][i % Self.width] | UInt32(truncatingIfNeeded: random.next()) & 0xFFFF)
        }
        for (label, values) in [("smooth", smooth), ("periodic", periodic), ("rows", rows)] {
            let expected = Self.shuffled(values)
            let fast = try Self.encode(values, pipeline: [2, 1])
            let exact = try Self.inflate(fast, count: expected.count) == expected
            #expect(exact, "\(label)")
            let reference = try Self.libdeflate(expected)
            #expect(Double(fast.count) <= 1.05 * Double(reference.count), "\(label): \(fast.count) bytes against libdeflate's \(reference.count)")
            let high = try Self.encode(values, pipeline: [2, 1], level: 6)
            let exactHigh = try Self.inflate(high, count: expected.count) == expected
            #expect(exactHigh, "\(label) at level 6")
        }
        // Whatever plane comes first, a dynamic-code block opens the stream of the smooth field at level 1.
        let first = try Self.encode(smooth, pipeline: [2, 1])
        #expect((first[2] >> 1) & 0x03 == 2, "a dynamic-code block first")
        // The rows' repeats are found only at the row's distance: with rows unknown that plane is literals.
        let blind = try Self.encode(rows, pipeline: [2, 1], row: 0), seeing = try Self.encode(rows, pipeline: [2, 1])
        #expect(seeing.count + Self.height * Self.width / 4 < blind.count, "\(seeing.count) bytes with rows, \(blind.count) without")
        let exactBlind = try Self.inflate(blind, count: 4 * rows.count) == Self.shuffled(rows)
        #expect(exactBlind)
    }

    @Test("Floats stored on the way in (NaN to the fill value, BitRound) encode as the stored copy does, in every pipeline order, and are left as they were")
    func storedOnTheWay() throws {
        var random = SplitMix64(state: 31)
        let values = Self.field(level: 1, noise: 1e-3, seed: 8).enumerated().map { i, v in i % 1001 == 0 ? -.infinity : v }
        for bits in [23, 9] {
            let floats = StoredFloats(fill: ForecastLayout.floatFill, keeping: bits)
            var copy = values
            values.withUnsafeBufferPointer { source in copy.withUnsafeMutableBufferPointer { floats.store(source, into: $0.baseAddress!) } }
            for filters: [Int32] in [[2, 1, 3], [3, 2, 1], [1, 2], [1], [3], []] {
                let level = Int32(1 + random.next() % 2 * 5)
                let expected = try Self.encode(copy, pipeline: filters, level: level)
                var pipeline = fd_chunk_pipeline()
                pipeline.count = Int32(filters.count)
                pipeline.deflate_level = level
                pipeline.row = Self.width
                withUnsafeMutableBytes(of: &pipeline.filters) { raw in
                    for (i, f) in filters.enumerated() { raw.storeBytes(of: f, toByteOffset: 4 * i, as: Int32.self) }
                }
                let input = values
                var out = [UInt8](repeating: 0, count: fd_chunk_bound(4 * input.count))
                var store = floats.rule
                let size = fd_chunk_encode_floats(&pipeline, input, input.count, &store, &out, nil)
                #expect(size > 0 && Array(out[0..<max(size, 0)]) == expected, "filters \(filters), \(bits) bits, level \(level)")
                #expect(zip(input, values).allSatisfy { $0.bitPattern == $1.bitPattern })
            }
        }
    }

    @Test("BitRound: the values stored are netCDF-C's own quantization of the same data, with its attribute; the file shrinks")
    func bitRound() throws {
        let folder = try Scratch.folder()
        let variables = [ForecastVariable(name: "thetao", standardName: "sea_water_potential_temperature", units: "degrees_C",
                                          longName: "Temperature", hasDepth: true, packingRange: -5...45)]
        var layout = ForecastLayout(latitudes: (0..<Self.height).map { -89.5 + Double($0) },
                                    longitudes: (0..<Self.width).map { -179.875 + 0.25 * Double($0) }, depths: [0.5, 10],
                                    variables: variables, referenceTime: CFDateTime(year: 2024, month: 1, day: 1, calendar: .standard))
        let values = (0..<2).flatMap { Self.field(level: $0, noise: 1e-3, seed: UInt64(40 + $0)) }
        func write(_ path: String, bits: Int?) throws {
            layout.quantizeBits = bits.map { ["thetao": $0] } ?? [:]
            let writer = try ForecastWriter(path: path, layout: layout)
            try writer.writeDay(leadHours: 24, values: ["thetao": values])
            try writer.finish()
        }
        try write(folder + "/lossless.nc", bits: nil)
        try write(folder + "/rounded.nc", bits: 10)
        // netCDF-C's own BitRound of the same values: a variable defined with nc_def_var_quantize, written with nc_put_vara.
        let library = try NetCDFFile.create(folder + "/library.nc")
        let dims = try [("z", 2), ("y", Self.height), ("x", Self.width)].map { try library.root.defineDimension($0.0, length: $0.1) }
        let variable = try library.root.defineVariable("thetao", type: .float, dimensions: dims)
        try variable.setStorage(chunks: nil, deflateLevel: 0, checksum: false, fill: Double(ForecastLayout.floatFill))
        try variable.setQuantize(bits: 10)
        try library.endDefinitions()
        let filled = values.map { $0.isNaN ? ForecastLayout.floatFill : $0 }
        try filled.withUnsafeBufferPointer { try variable.write($0, start: [0, 0, 0], count: [2, Self.height, Self.width]) }
        try library.close()
        let expected = try NetCDFFile.open(folder + "/library.nc").root.variable("thetao").readRaw()
        let rounded = try NetCDFFile.open(folder + "/rounded.nc").root.variable("thetao")
        let got = try rounded.readRaw()
        #expect(got.count == expected.count && zip(got, expected).allSatisfy { Float($0).bitPattern == Float($1).bitPattern })
        #expect(try rounded.attributes()["_QuantizeBitRoundNumberOfSignificantBits"]?.numbers == [10])
        let lossless = try NetCDFFile.open(folder + "/lossless.nc").root.variable("thetao").readRaw()
        #expect(zip(got, lossless).allSatisfy { $1 == Double(ForecastLayout.floatFill) || abs($0 - $1) <= abs($1) * 0x1p-10 })
        let size = { (file: String) in (try? FileManager.default.attributesOfItem(atPath: folder + file)[.size] as? Int) ?? 0 }
        #expect(size("/rounded.nc") < size("/lossless.nc") * 3 / 4, "\(size("/rounded.nc")) against \(size("/lossless.nc")) bytes")
    }

    @Test("A forecast of noisy fields reads back bit for bit through netCDF-C, and is within 2% of nccopy's deflate of it",
          .enabled(if: Scratch.has("nccopy"), "needs nccopy (netcdf-bin)"))
    func noisyForecastFile() throws {
        let folder = try Scratch.folder()
        let path = folder + "/noisy.nc", copy = folder + "/nccopy.nc"
        let variables = [ForecastVariable(name: "thetao", standardName: "sea_water_potential_temperature", units: "degrees_C",
                                          longName: "Temperature", hasDepth: true, packingRange: -5...45)]
        var layout = ForecastLayout(latitudes: (0..<Self.height).map { -89.5 + Double($0) },
                                    longitudes: (0..<Self.width).map { -179.875 + 0.25 * Double($0) }, depths: [0.5, 10, 50],
                                    variables: variables, referenceTime: CFDateTime(year: 2024, month: 1, day: 1, calendar: .standard))
        layout.writerThreads = 2
        let days = (0..<2).map { d in (0..<3).flatMap { Self.field(level: $0, noise: 1e-3, seed: UInt64(10 * d + $0)) } }
        let writer = try ForecastWriter(path: path, layout: layout)
        for (d, values) in days.enumerated() { try writer.writeDay(leadHours: Double(24 * (d + 1)), values: ["thetao": values]) }
        try writer.finish()
        let dataset = try CFDataset(path: path)
        let thetao = try dataset.variable("thetao")
        for (d, values) in days.enumerated() {
            let got = try dataset.read(thetao, start: [d, 0, 0, 0], count: [1, 3, Self.height, Self.width])
            #expect(zip(got, values).allSatisfy { $0.isNaN ? $1.isNaN : $0.bitPattern == $1.bitPattern }, "day \(d + 1)")
        }
        let nccopy = try #require(Scratch.run("nccopy", ["-d", "1", "-s", path, copy]))
        #expect(nccopy.status == 0, "\(nccopy.output)")
        let size = { (file: String) in Double((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) }
        #expect(size(path) <= 1.02 * size(copy), "\(size(path)) bytes against nccopy's \(size(copy))")
        let copied = try CFDataset(path: copy)
        let again = try copied.read(try copied.variable("thetao"), start: [1, 0, 0, 0], count: [1, 3, Self.height, Self.width])
        #expect(zip(again, days[1]).allSatisfy { $0.isNaN ? $1.isNaN : $0.bitPattern == $1.bitPattern })
    }
}
