import Foundation
@testable import NetCDF
import TestSupport
import Testing

/// Chunked reads against netCDF-C's own reads of the same slabs: files written by netCDF4-python with chunks that
/// do not line up with the slabs, every value type and filter combination the chunked path takes, and the cases
/// it leaves to netCDF-C.
@Suite("Chunked reads: chunks decoded at once give netCDF-C's values bit for bit")
struct ChunkedReadTests {
    static let script = """
        import sys, numpy as np, netCDF4
        rng = np.random.default_rng(5)
        with netCDF4.Dataset(sys.argv[1], "w") as d:
            for name, n in [("t", 3), ("z", 5), ("y", 37), ("x", 53)]: d.createDimension(name, n)
            dims = ("t", "z", "y", "x")
            base = 15 + 10 * np.cos(np.arange(37) / 9)[None, None, :, None] + rng.normal(0, 0.01, (3, 5, 37, 53))
            land = (np.arange(53)[None, None, None, :] + np.arange(37)[None, None, :, None]) % 11 < 3
            v = d.createVariable("f32", "f4", dims, zlib=True, shuffle=True, fletcher32=True, chunksizes=(1, 2, 16, 20), fill_value=1e20)
            v[:] = np.ma.masked_where(np.broadcast_to(land, base.shape), base)
            v = d.createVariable("i16", "i2", dims, zlib=True, complevel=4, shuffle=True, chunksizes=(2, 3, 10, 30), fill_value=-32767)
            v.scale_factor, v.add_offset = 0.001, 20.0
            v[:] = np.ma.masked_where(np.broadcast_to(land, base.shape), base)
            d.createVariable("f64", "f8", dims, chunksizes=(1, 5, 37, 53))[:] = base
            d.createVariable("i32", "i4", dims, zlib=True, shuffle=False, chunksizes=(3, 1, 7, 9))[:] = (base * 1e6).astype("i4")
            d.createVariable("big", "f4", dims, zlib=True, endian="big", chunksizes=(1, 5, 37, 53))[:] = base
            v = d.createVariable("sparse", "f4", dims, zlib=True, chunksizes=(1, 5, 37, 53))
            v[0] = base[0]
        """

    static func file() throws -> String {
        let folder = try Scratch.folder()
        let path = folder + "/chunks.nc", script = folder + "/make.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let made = try #require(Scratch.run("python3", [script, path]))
        try #require(made.status == 0, "\(made.output)")
        return path
    }

    static let slabs: [(start: [Int], count: [Int])] = [
        ([0, 0, 0, 0], [3, 5, 37, 53]), ([1, 1, 5, 7], [2, 3, 25, 40]), ([2, 4, 36, 0], [1, 1, 1, 53]), ([0, 2, 3, 19], [3, 1, 30, 1]),
    ]

    /// netCDF-C's values of the slab, decoded as CFDataset decodes them.
    static func library(_ variable: Variable, _ start: [Int], _ count: [Int]) throws -> [Float] {
        try CFPacking(variable: variable).decode(variable.readRaw(start: start, count: count))
    }

    static func same(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.isNaN ? $1.isNaN : $0.bitPattern == $1.bitPattern }
    }

    @Test("float, short (packed, fill), double and int, with shuffle, deflate and Fletcher-32 in any mix: every slab as netCDF-C reads it",
          .enabled(if: Scratch.python(has: ["netCDF4", "numpy"]), "needs python3 with netCDF4 and numpy"))
    func matchesLibrary() throws {
        let dataset = try CFDataset(path: try Self.file())
        for name in ["f32", "i16", "f64", "i32"] {
            let variable = try dataset.variable(name)
            let packing = try CFPacking(variable: variable)
            for (start, count) in Self.slabs {
                var chunked = [Float](repeating: -1, count: count.reduce(1, *))
                let taken = chunked.withUnsafeMutableBufferPointer {
                    ChunkedRead.read(variable, start: start, count: count, packing: packing, into: $0, parallel: ChunkStore.concurrent(threads: 3))
                }
                #expect(taken, "\(name) is read by chunks")
                let expected = try Self.library(variable, start, count)
                let same = Self.same(chunked, expected), read = Self.same(try dataset.read(variable, start: start, count: count), expected)
                #expect(same, "\(name) at \(start) count \(count)")
                #expect(read, "\(name): CFDataset's read at \(start) count \(count)")
            }
        }
        let i16 = try dataset.read(try dataset.variable("i16"), start: [0, 0, 0, 0], count: [1, 1, 1, 4])
        let missing = i16[0].isNaN, unpacked = abs(i16[3] - 25) < 0.1
        #expect(missing && unpacked, "fill values are missing, others unpacked")
    }

    @Test("A big-endian variable and one with unwritten chunks are left to netCDF-C, with the same values",
          .enabled(if: Scratch.python(has: ["netCDF4", "numpy"]), "needs python3 with netCDF4 and numpy"))
    func leftToLibrary() throws {
        let dataset = try CFDataset(path: try Self.file())
        for name in ["big", "sparse"] {
            let variable = try dataset.variable(name)
            let (start, count) = Self.slabs[0]
            var chunked = [Float](repeating: 0, count: count.reduce(1, *))
            let taken = try chunked.withUnsafeMutableBufferPointer {
                ChunkedRead.read(variable, start: start, count: count, packing: try CFPacking(variable: variable), into: $0, parallel: ChunkStore.serial)
            }
            #expect(!taken, "\(name) is not read by chunks")
            #expect(Self.same(try dataset.read(variable, start: start, count: count), try Self.library(variable, start, count)))
        }
    }

    @Test("A damaged chunk is not decoded: the read fails as netCDF-C's does (Fletcher-32)",
          .enabled(if: Scratch.python(has: ["netCDF4", "numpy"]), "needs python3 with netCDF4 and numpy"))
    func damagedChunk() throws {
        let folder = try Scratch.folder()
        let path = folder + "/damaged.nc"
        let script = """
            import numpy as np, netCDF4
            with netCDF4.Dataset("\(path)", "w") as d:
                d.createDimension("y", 400); d.createDimension("x", 500)
                v = d.createVariable("v", "f4", ("y", "x"), zlib=True, fletcher32=True, chunksizes=(400, 500))
                v[:] = np.random.default_rng(1).normal(size=(400, 500))
            """
        let made = try #require(Scratch.run("python3", ["-c", script]))
        try #require(made.status == 0, "\(made.output)")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0xFF  // inside the one chunk's 700 kB of deflated noise
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let dataset = try CFDataset(path: path)
        let variable = try dataset.variable("v")
        var out = [Float](repeating: 0, count: 400 * 500)
        let taken = try out.withUnsafeMutableBufferPointer {
            ChunkedRead.read(variable, start: [0, 0], count: [400, 500], packing: try CFPacking(variable: variable), into: $0, parallel: ChunkStore.serial)
        }
        #expect(!taken)
        #expect(throws: NetCDFError.self) { try dataset.read(variable, start: [0, 0], count: [400, 500]) }
    }
}
