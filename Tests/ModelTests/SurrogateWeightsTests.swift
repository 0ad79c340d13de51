import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("Wrong or damaged model folders give one clear error, never a crash or silent garbage",
       .enabled(if: ModelFixtures.available, ModelFixtures.unavailableReason))
struct SurrogateWeightsTests {
    static let fixture = "w8-p4-stages"

    /// A copy of the fixture's folder whose weights are `edit`ed.
    static func damagedFolder(_ edit: (inout SafeTensorsEditing) -> Void,
                              lie: (String, inout [String: Any]) -> Void = { _, _ in }) throws -> String {
        let source = try ModelFixtures.folder(fixture)
        let folder = try Scratch.folder("damaged")
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: folder + "/config.json")
        var weights = try SafeTensorsEditing(path: source + "/model.safetensors")
        edit(&weights)
        try weights.write(to: folder + "/model.safetensors", lie: lie)
        return folder
    }

    @Test("Missing, unexpected, misshaped and wrongly typed tensors are listed together")
    func mismatches() throws {
        let folder = try Self.damagedFolder { w in
            w.entries.removeAll { $0.name == "head.bias" }
            w["norm.weight"].name = "norm.gamma"
            w["layers.0.blocks.0.attn.qkv.weight"].shape = [32, 96]
            let bias = w["layers_up.0.upsample.norm.bias"]
            w["layers_up.0.upsample.norm.bias"].dtype = "F64"
            w["layers_up.0.upsample.norm.bias"].bytes = bias.bytes + bias.bytes
        }
        let path = folder + "/model.safetensors"
        #expect(throws: SurrogateError.weights(
            path: path, missing: ["norm.weight", "head.bias"], unexpected: ["norm.gamma"],
            misshaped: ["layers.0.blocks.0.attn.qkv.weight is [32, 96], expected [96, 32]",
                        "layers_up.0.upsample.norm.bias has dtype F64, expected one of F32, F16, BF16"])) {
            try Surrogate(folder: folder)
        }
        #expect("\(Self.error(folder))".contains("missing (2): norm.weight, head.bias"))
    }

    static func error(_ folder: String) -> any Error {
        do { _ = try Surrogate(folder: folder); return FixtureError(detail: "loaded") } catch { return error }
    }

    @Test("A NaN weight is named; a truncated file and lying offsets are refused")
    func damagedValues() throws {
        let nan = try Self.damagedFolder { w in
            var bytes = w["layers.0.blocks.1.mlp.fc2.weight"].bytes
            withUnsafeBytes(of: Float.nan) { nanBytes in bytes.replaceSubrange(20..<24, with: nanBytes) }
            w["layers.0.blocks.1.mlp.fc2.weight"].bytes = bytes
        }
        #expect(throws: SurrogateError.damagedWeights(.tensor(
            path: nan + "/model.safetensors", name: "layers.0.blocks.1.mlp.fc2.weight",
            detail: "element 5 is nan (weights must be finite)"))) { try Surrogate(folder: nan) }

        let lying = try Self.damagedFolder({ _ in }, lie: { name, fields in
            if name == "head.weight" { fields["data_offsets"] = [0, (fields["data_offsets"] as! [Int])[1] - (fields["data_offsets"] as! [Int])[0]] }
        })
        #expect(throws: SurrogateError.self) { try Surrogate(folder: lying) }
        if case SurrogateError.damagedWeights(.malformed(_, let detail)) = Self.error(lying) {
            #expect(detail.contains("overlap"))
        } else {
            Issue.record("lying offsets gave \(Self.error(lying))")
        }

        let truncated = try Self.damagedFolder { _ in }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: truncated + "/model.safetensors"))
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: size - 100)
        try handle.close()
        guard case SurrogateError.damagedWeights(.tensor(_, _, let detail)) = Self.error(truncated) else {
            Issue.record("truncated file gave \(Self.error(truncated))")
            return
        }
        #expect(detail.contains("outside the"))
    }

    @Test("300 byte-flipped copies: each loads and runs, or is refused with a SurrogateError; never a crash")
    func flippedBytes() throws {
        let source = try ModelFixtures.folder(Self.fixture)
        let original = try Data(contentsOf: URL(fileURLWithPath: source + "/model.safetensors"))
        let state = try ModelFixtures.tensor(source, "inputs.safetensors", "state")
        let flux = try ModelFixtures.tensor(source, "inputs.safetensors", "flux")
        let folder = try Scratch.folder("flipped")
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: folder + "/config.json")
        var seed: UInt64 = 42
        var refused = 0, ran = 0
        for round in 0..<300 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            var copy = original
            // Half the flips land in the header, where they matter most.
            let headerEnd = 8 + Int(original.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            let position = Int(seed >> 33) % (round % 2 == 0 ? headerEnd : copy.count)
            copy[position] ^= UInt8(1 << (Int(seed >> 20) % 8))
            try copy.write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
            do {
                let model = try Surrogate(folder: folder, pool: ThreadPool(threads: 1))
                let change = Tensor(zeros: state.shape)
                try model.forward(state: state, flux: flux, into: change)
                #expect(change.count == state.count)
                ran += 1
            } catch is SurrogateError {
                refused += 1
            }
        }
        #expect(refused + ran == 300)
        #expect(refused > 0 && ran > 0, "\(refused) refused, \(ran) ran")
    }

    @Test("config.json problems name the file and the key", arguments: [
        ("{\"grid\": {\"height\": 8}}", "missing key 'grid.width'"),
        ("not json", "not valid JSON"),
        ("{\"grid\": {\"height\": 64, \"width\": 64}, \"state_channels\": 3, \"flux_channels\": 2, \"patch_size\": 4, \"embed_dim\": 32, \"depths\": [2], \"num_heads\": [3], \"window_size\": 8, \"group_norm_groups\": 8}",
         "32 channels do not split into 3 heads"),
        ("{\"grid\": {\"height\": 64, \"width\": 64}, \"state_channels\": 3, \"flux_channels\": 2, \"patch_size\": 4, \"embed_dim\": 32, \"depths\": [2, 2], \"num_heads\": [2], \"window_size\": 8}",
         "num_heads [2] must give one count per stage of depths [2, 2]"),
        ("{\"grid\": {\"height\": 64, \"width\": 64}, \"state_channels\": \"3\"}", "'state_channels' is not Int"),
    ])
    func configuration(json: String, detail: String) throws {
        let folder = try Scratch.folder("config")
        try Data(json.utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        let error = Self.error(folder)
        guard case SurrogateError.configuration(let path, let got) = error else {
            Issue.record("expected a configuration error, got \(error)")
            return
        }
        #expect(path == folder + "/config.json")
        #expect(got.contains(detail), "\(got)")
    }

    @Test("Inputs of the wrong shape are refused before any work")
    func inputShapes() throws {
        let model = try Surrogate(folder: try ModelFixtures.folder(Self.fixture))
        let state = Tensor(zeros: [6, 20, 30]), flux = Tensor(zeros: [4, 20, 30])
        #expect(throws: SurrogateError.input(detail: "flux is [4, 20, 31], expected [4, 20, 30]")) {
            try model.forward(state: state, flux: Tensor(zeros: [4, 20, 31]), into: Tensor(zeros: [6, 20, 30]))
        }
        #expect(throws: SurrogateError.input(detail: "state is [5, 20, 30], expected [6, height, width] or [members, 6, height, width]")) {
            try model.forward(state: Tensor(zeros: [5, 20, 30]), flux: flux, into: Tensor(zeros: [5, 20, 30]))
        }
        let change = Tensor(zeros: [6, 20, 30])
        try model.forward(state: state, flux: flux, into: change)
        #expect(change.toArray().allSatisfy { $0.isFinite })
    }
}
