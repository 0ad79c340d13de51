import Foundation
import NetCDF
import OceanGrid
import Surrogate
import Tensor
import TestSupport
import Testing

/// WenHai-structured ONNX files exported by PyTorch (tools/reference/wenhai_torch.py) and the model folders
/// tools/import_wenhai.py makes of them, built once per test run.
enum WenHaiFixtures {
    static let modules = ["torch", "onnx", "onnxruntime", "numpy", "safetensors", "xarray", "netCDF4", "ml_dtypes"]
    static let available = Scratch.python(has: modules)
    static let unavailableReason: Comment = "needs python3 with torch, onnx, onnxruntime, xarray, netCDF4, safetensors (scripts/install-dependencies.sh --test)"

    /// What each export is: the published layout with the pipeline's files ("one-stage"), the same network from
    /// differently named modules ("renamed"), two Swin stages on a grid that needs padding ("two-stages"), and two
    /// networks that are not WenHai's.
    static let exports: [(name: String, arguments: [String])] = [
        ("one-stage", ["--config", "one-stage", "--forecast"]),
        ("renamed", ["--config", "one-stage", "--forecast", "--names", "b"]),
        ("two-stages", ["--config", "two-stages"]),
        ("tanh-gelu", ["--config", "one-stage", "--deviation", "tanh-gelu"]),
        ("unshifted", ["--config", "two-stages", "--deviation", "unshifted"]),
    ]

    static let root: Result<String, FixtureError> = {
        do {
            let root = try Scratch.folder("wenhai-import")
            for (name, arguments) in exports {
                try python("reference/wenhai_torch.py", [root + "/" + name] + arguments)
            }
            for name in ["one-stage", "renamed"] {
                try python("import_wenhai.py", ["\(root)/\(name)/WenHai.onnx", "\(root)/\(name)-model", "--pipeline", "\(root)/\(name)"])
            }
            try python("import_wenhai.py", ["\(root)/two-stages/WenHai.onnx", "\(root)/two-stages-model"])
            return .success(root)
        } catch let error as FixtureError { return .failure(error) } catch { return .failure(FixtureError(detail: "\(error)")) }
    }()

    static func python(_ script: String, _ arguments: [String]) throws {
        guard let result = Scratch.run("python3", [Scratch.tools + "/" + script] + arguments), result.status == 0 else {
            throw FixtureError(detail: "python3 \(script) \(arguments.joined(separator: " ")) failed")
        }
    }

    /// The importer's exit status and message on `arguments`.
    static func importer(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let run = try #require(Scratch.run("python3", [Scratch.tools + "/import_wenhai.py"] + arguments))
        return (run.status, run.output)
    }
}

@Suite("A WenHai-structured ONNX file imported and run", .enabled(if: WenHaiFixtures.available, WenHaiFixtures.unavailableReason))
struct WenHaiImportTests {
    /// forecastd's change on the export's inputs with the imported weights.
    static func change(_ name: String, threads: Int, precision: PrecisionChoice) throws -> Tensor {
        let root = try WenHaiFixtures.root.get()
        let model = try Surrogate(folder: "\(root)/\(name)-model", pool: ThreadPool(threads: threads), precision: precision)
        let state = try ModelFixtures.tensor("\(root)/\(name)", "inputs.safetensors", "state")
        let flux = try ModelFixtures.tensor("\(root)/\(name)", "inputs.safetensors", "flux")
        let change = Tensor(zeros: state.shape)
        change.fill(.nan)
        try model.forward(state: state, flux: flux, into: change)
        return change
    }

    static func onnxRuntime(_ name: String, float32: Bool) throws -> Tensor {
        try ModelFixtures.tensor("\(try WenHaiFixtures.root.get())/\(name)", float32 ? "onnxruntime-fp32.safetensors" : "onnxruntime.safetensors", "change")
    }

    @Test("fp32 forward of the imported folder: within 1e-4 of ONNX Runtime on the float32 graph, 3e-3 of it on the published float16 file",
          arguments: ["one-stage", "two-stages"], [1, 2])
    func fp32(name: String, threads: Int) throws {
        let change = try Self.change(name, threads: threads, precision: .fp32)
        let exact = SurrogateParityTests.normalisedError(change, try Self.onnxRuntime(name, float32: true))
        let half = SurrogateParityTests.normalisedError(change, try Self.onnxRuntime(name, float32: false))
        print("\(name), \(threads) threads: fp32 against ONNX Runtime float32 graph \(exact), float16 file \(half)")
        #expect(exact <= 1e-4, "\(name): \(exact) against the float32 graph")
        #expect(half <= 3e-3, "\(name): \(half) against the float16 file (its own arithmetic is float16)")
    }

    @Test("bf16 forward of the imported folder: within 1.5% of ONNX Runtime on the float32 graph and on the float16 file",
          .enabled(if: ProcessorCapabilities.taken >= .avx512bf16, "bf16 needs AVX512-BF16; this instruction path is \(ProcessorCapabilities.taken)"),
          arguments: ["one-stage", "two-stages"])
    func bf16(name: String) throws {
        let change = try Self.change(name, threads: 2, precision: .bf16)
        for float32 in [true, false] {
            let error = SurrogateParityTests.normalisedError(change, try Self.onnxRuntime(name, float32: float32))
            print("\(name): bf16 against ONNX Runtime (\(float32 ? "float32 graph" : "float16 file")) \(error)")
            #expect(error <= 0.015, "\(name): \(error)")
        }
    }

    @Test("Differently named modules import to the same weights, byte for byte, and the same configuration")
    func names() throws {
        let root = try WenHaiFixtures.root.get()
        let a = try #require(FileManager.default.contents(atPath: "\(root)/one-stage-model/model.safetensors"))
        let b = try #require(FileManager.default.contents(atPath: "\(root)/renamed-model/model.safetensors"))
        #expect(a == b)
        func config(_ folder: String) throws -> NSDictionary {
            let data = try #require(FileManager.default.contents(atPath: "\(root)/\(folder)/config.json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return object.filter { $0.key != "source" } as NSDictionary
        }
        #expect(try config("one-stage-model") == config("renamed-model"))
        let imported = try SurrogateConfiguration.load(folder: "\(root)/two-stages-model")
        #expect(imported.depths == [2, 2] && imported.numHeads == [2, 4] && imported.windowSize == 4 && imported.patchSize == 4
                && imported.embedDim == 32 && imported.groupNormGroups == 8 && imported.grid == .init(height: 50, width: 70))
    }

    @Test("forecastd's own models exported by tools/export_onnx.py (another exporter: Slice/Concat shifts, a 1x1-conv head) import to their own weights, value for value",
          .enabled(if: ModelFixtures.available, ModelFixtures.unavailableReason), arguments: ModelFixtures.names)
    func roundTrip(name: String) throws {
        let original = try ModelFixtures.folder(name), imported = try Scratch.folder("round-trip") + "/" + name
        let (status, output) = try WenHaiFixtures.importer([original + "/model.onnx", imported])
        try #require(status == 0, "\(output)")
        #expect(try SurrogateConfiguration.load(folder: imported) == SurrogateConfiguration.load(folder: original))
        let want = try SafeTensorsFile(path: original + "/model.safetensors"), got = try SafeTensorsFile(path: imported + "/model.safetensors")
        #expect(Set(got.entries.keys) == Set(want.entries.keys))
        for key in want.entries.keys.sorted() where got.entries[key] != nil {
            #expect(try got.tensor(key).toArray() == want.tensor(key).toArray(), "\(name): \(key) differs")
        }
    }

    @Test("A network that is not WenHai's is refused with what did not match (exit 65), and nothing is written",
          arguments: [("tanh-gelu", "Tanh"), ("unshifted", "block 1 is not shifted")])
    func refusal(name: String, reason: String) throws {
        let root = try WenHaiFixtures.root.get()
        let out = "\(root)/\(name)-model"
        let (status, output) = try WenHaiFixtures.importer(["\(root)/\(name)/WenHai.onnx", out])
        #expect(status == 65)
        #expect(output.contains("not a WenHai-structured network") && output.contains(reason), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("Bad invocations: a file that is not ONNX (65), a missing file (66), an existing folder without --force (73)")
    func badInvocations() throws {
        let root = try WenHaiFixtures.root.get(), scratch = try Scratch.folder()
        let garbage = scratch + "/garbage.onnx"
        try Data("not a protobuf at all".utf8).write(to: URL(fileURLWithPath: garbage))
        var run = try WenHaiFixtures.importer([garbage, scratch + "/a"])
        #expect(run.status == 65, "\(run.output)")
        run = try WenHaiFixtures.importer([scratch + "/missing.onnx", scratch + "/b"])
        #expect(run.status == 66 && run.output.contains("missing.onnx"), "\(run.output)")
        run = try WenHaiFixtures.importer(["\(root)/two-stages/WenHai.onnx", "\(root)/two-stages-model"])
        #expect(run.status == 73 && run.output.contains("--force"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: scratch + "/a") && !FileManager.default.fileExists(atPath: scratch + "/b"))
    }

    /// forecastd (float32) against the published pipeline over 3 days, as a fraction of each channel's min-max
    /// range: 2e-3 where the pipeline rounds its state, fluxes and change to float16 every day as the authors' does
    /// (2^-11 relative per day, and float16 arithmetic in the network); 1e-5 with float32 throughout.
    @Test("forecastd run on the imported folder gives the published pipeline's 3-day forecast (numpy + ONNX Runtime)",
          .enabled(if: Scratch.forecastd != nil, "the forecastd executable is not built"),
          arguments: [(false, 2e-3), (true, 1e-5)])
    func pipeline(float32: Bool, bound: Double) throws {
        let root = try WenHaiFixtures.root.get(), work = try Scratch.folder()
        let model = "\(root)/one-stage-model", export = "\(root)/one-stage"
        try WenHaiFixtures.python("reference/make_forecast_case.py", [model, work, "--days", "3"])
        try WenHaiFixtures.python("reference/wenhai_pipeline.py", [
            "\(export)/\(float32 ? "WenHai-fp32.onnx" : "WenHai.onnx")", export, "\(work)/init.nc", "\(work)/forcing.nc", "3",
            "\(work)/reference.nc"] + (float32 ? ["--float32"] : []))
        let forecastd = try #require(Scratch.forecastd)
        let run = try #require(Scratch.run(forecastd, [
            "run", "--model", model, "--init", "\(work)/init.nc", "--forcing", "\(work)/forcing.nc", "--days", "3",
            "--out", "\(work)/forecast.nc"]))
        try #require(run.status == 0, "\(run.output)")
        #expect(!run.output.contains("mask.safetensors has land"), "the test case's ocean is the mask's")
        let low = try Self.npy("\(export)/min_GLORYS.npy"), high = try Self.npy("\(export)/max_GLORYS.npy")
        let reference = try CFDataset(path: "\(work)/reference.nc"), forecast = try CFDataset(path: "\(work)/forecast.nc")
        func values(_ file: CFDataset, _ name: String) throws -> [Float] {
            let variable = try file.variable(name)
            return try file.read(variable, start: variable.shape.map { _ in 0 }, count: variable.shape)
        }
        let levels = (low.count - 1) / 4
        for (k, name) in ["uo", "vo", "thetao", "so", "zos"].enumerated() {
            let range = Double(high[k * levels] - low[k * levels])
            let want = try values(reference, name), got = try values(forecast, name)
            try #require(want.count == got.count, "\(name): \(got.count) values against \(want.count)")
            #expect(zip(want, got).allSatisfy { $0.isNaN == $1.isNaN }, "\(name): land differs")
            let worst = zip(want, got).filter { !$0.0.isNaN }.map { abs(Double($0) - Double($1)) }.max() ?? .infinity
            print("\(name), \(float32 ? "float32" : "float16") pipeline: largest difference over 3 days \(worst) (\(worst / range) of the channel range)")
            #expect(worst / range <= bound, "\(name): \(worst / range) of the channel range")
        }
    }

    /// A float32 vector saved by numpy (`np.save`, little-endian, version 1 header).
    static func npy(_ path: String) throws -> [Float] {
        let data = try #require(FileManager.default.contents(atPath: path))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let body = data.dropFirst(10 + headerLength)
        return body.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
