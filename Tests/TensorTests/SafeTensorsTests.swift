import Foundation
import Tensor
import Testing

@Suite("safetensors: memory-mapped weights, every entry validated")
struct SafeTensorsTests {
    /// Writes a safetensors file: entries (name, dtype, shape, raw little-endian bytes), header as given or built.
    static func write(_ entries: [(String, String, [Int], [UInt8])], header override: String? = nil,
                      headerLength: UInt64? = nil, truncate: Int = 0) throws -> String {
        var offset = 0
        var fields: [String] = []
        var data: [UInt8] = []
        for (name, dtype, shape, bytes) in entries {
            fields.append("\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + bytes.count)]}")
            offset += bytes.count
            data += bytes
        }
        var header = Array((override ?? "{\"__metadata__\":{\"format\":\"pt\"}," + fields.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes = withUnsafeBytes(of: (headerLength ?? UInt64(header.count)).littleEndian) { Array($0) } + header + data
        bytes.removeLast(min(truncate, bytes.count))
        let path = NSTemporaryDirectory() + "forecastd-st-\(UUID().uuidString).safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    static func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test("F32 is a zero-copy view; F16, BF16 and F64 convert; metadata is read")
    func dtypes() throws {
        let f32: [Float] = [1, -2.5, 3e-8, 1e30, 0, 7, -0.125, 42]
        let f16: [Float16] = [1, -2.5, 0.099975586, 65504]
        let bf16: [UInt16] = [0x3F80, 0xC020, 0x4049] // 1, -2.5, 3.140625
        let f64: [Double] = [1e-3, -4]
        let path = try Self.write([("w", "F32", [2, 4], Self.bytes(f32)), ("h", "F16", [4], Self.bytes(f16)),
                                   ("b", "BF16", [3], Self.bytes(bf16)), ("d", "F64", [1, 2], Self.bytes(f64))])
        let file = try SafeTensorsFile(path: path)
        #expect(file.metadata == ["format": "pt"])
        let w = try file.tensor("w")
        #expect(w.shape == [2, 4] && w.toArray() == f32)
        #expect(w.storage.count == 8) // a view of the mapping, not a padded copy
        #expect(try file.tensor("h").toArray() == f16.map(Float.init))
        #expect(try file.tensor("b").toArray() == [1, -2.5, 3.140625])
        #expect(try file.tensor("d").toArray() == [Float(1e-3), -4])
        #expect(file.entries["w"]?.byteRange == 0..<32)
    }

    @Test("U8 tensors read in place as bytes; another dtype or a missing name is an error naming the tensor")
    func bytes() throws {
        let mask: [UInt8] = [1, 0, 1, 1, 0, 255]
        let path = try Self.write([("ocean", "U8", [2, 3], mask), ("w", "F32", [1], Self.bytes([Float(2)]))])
        let file = try SafeTensorsFile(path: path)
        #expect(Array(try file.bytes("ocean")) == mask)
        #expect(try file.tensor("ocean").toArray() == mask.map(Float.init))
        #expect { try file.bytes("w") } throws: { "\($0)".contains("w") && "\($0)".contains("U8") }
        #expect { try file.bytes("absent") } throws: { "\($0)".contains("absent") }
    }

    @Test("Damaged headers and entries are errors naming the file and the tensor")
    func damaged() throws {
        let good: [(String, String, [Int], [UInt8])] = [("a", "F32", [2], Self.bytes([Float(1), 2])), ("b", "F32", [1], Self.bytes([Float(3)]))]
        let cases: [(String, (String) -> SafeTensorsError)] = [
            (try Self.write(good, truncate: 4), { .tensor(path: $0, name: "b", detail: "data_offsets [8, 12] outside the 8 data bytes") }),
            (try Self.write(good, headerLength: 1 << 40), { .malformed(path: $0, detail: "header length 1099511627776 does not fit in \(Self.size($0)) bytes") }),
            (try Self.write(good, header: "{\"a\": [1, 2"), { .malformed(path: $0, detail: "the header is not a JSON object") }),
            (try Self.write([("a", "I8", [2], [1, 2])]), { .tensor(path: $0, name: "a", detail: "dtype I8 is not one of F32, F16, BF16, F64") }),
            (try Self.write([("a", "F32", [3], Self.bytes([Float(1), 2]))]), { .tensor(path: $0, name: "a", detail: "8 bytes for shape [3] of F32") }),
            (try Self.write(good, header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"),
             { .malformed(path: $0, detail: "tensors 'a' and 'b' overlap") }),
            (try Self.write([("a", "F32", [-1], [])]), { .tensor(path: $0, name: "a", detail: "shape [-1] is not a list of sizes") }),
            (try Self.write([("a", "F32", [1, 1, 1, 1, 1, 1, 1], Self.bytes([Float(1)]))]),
             { .tensor(path: $0, name: "a", detail: "shape [1, 1, 1, 1, 1, 1, 1] has more than 6 dimensions") }),
            (try Self.write([("a", "F32", [1 << 62, 4], [])]), { .tensor(path: $0, name: "a", detail: "0 bytes for shape [4611686018427387904, 4] of F32") }),
        ]
        for (path, expected) in cases {
            #expect(throws: expected(path)) { _ = try SafeTensorsFile(path: path).tensor("a") }
        }
        let nan = try SafeTensorsFile(path: try Self.write([("a", "F32", [3], Self.bytes([Float(1), .nan, 2]))]))
        #expect(throws: SafeTensorsError.tensor(path: nan.path, name: "a", detail: "element 1 is nan (weights must be finite)")) {
            try nan.tensor("a")
        }
        #expect(throws: SafeTensorsError.tensor(path: nan.path, name: "z", detail: "not in the file")) { try nan.tensor("z") }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: "/nonexistent/weights.safetensors") }
    }

    @Test("Files written by the reference safetensors package read back exactly",
          .enabled(if: Scratch.python(has: ["numpy", "safetensors"]), "needs python3 with numpy and safetensors"))
    func referenceWriter() throws {
        let path = NSTemporaryDirectory() + "forecastd-st-ref-\(UUID().uuidString).safetensors"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Scratch.tools + "/write_safetensors.py", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let expected = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let shapes = try #require(expected["__shapes__"] as? [String: [Int]])
        let file = try SafeTensorsFile(path: path)
        #expect(file.metadata["format"] == "pt")
        #expect(Set(file.entries.keys) == Set(shapes.keys))
        for (name, shape) in shapes {
            let tensor = try file.tensor(name)
            #expect(Array(tensor.shape) == shape, "\(name)")
            let want = try #require(expected[name] as? [Double]).map(Float.init)
            #expect(tensor.toArray() == want, "\(name)")
        }
    }

    @Test("Byte-flipped and truncated copies give an error or a read of the right shape, never a crash")
    func fuzz() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: try Self.write(
            [("x", "F32", [4, 3], Self.bytes((0..<12).map(Float.init))), ("y", "BF16", [2], Self.bytes([UInt16(0x3F80), 0x4000]))])))
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        var errors = 0, reads = 0
        for seed in 0..<400 {
            var copy = original
            if seed % 5 == 0 { copy = copy.prefix(next() % original.count) } else { copy[next() % copy.count] ^= UInt8(1 << (next() % 8)) }
            let path = NSTemporaryDirectory() + "forecastd-st-fuzz.safetensors"
            try copy.write(to: URL(fileURLWithPath: path))
            do {
                let file = try SafeTensorsFile(path: path)
                for (name, entry) in file.entries { #expect(try file.tensor(name, requireFinite: false).count == entry.shape.reduce(1, *)) }
                reads += 1
            } catch is SafeTensorsError {
                errors += 1
            }
        }
        #expect(errors + reads == 400 && errors > 0)
    }
}
