import Foundation
import NetCDF
import Tensor
import TestSupport
import Testing

/// The network's precision through the binary: chosen by --precision, by config.json, or fp32; refused before any
/// work where the instruction path has no bf16; recorded in the output and shown by model-info.
@Suite("Precision: --precision, config.json's declaration, refusals and what the output records",
       .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
struct PrecisionTests {
    /// `forecastd ARGUMENTS` with FORECASTD_ISA set to `path` (nil: unset).
    static func forecastd(_ arguments: [String], path: InstructionPath? = nil) throws -> (status: Int32, output: String) {
        let environment = path.map { ["\(ProcessorCapabilities.variable)=\($0)"] } ?? []
        let r = try #require(Scratch.run("env", environment + [Scratch.forecastd!] + arguments))
        #expect(!r.signaled, "forecastd crashed: \(r.output.suffix(500))")
        return (r.status, r.output)
    }

    /// `run` on a copy of weights-sample for 2 days.
    static func run(_ folder: String, out: String, path: InstructionPath? = nil, extra: [String] = []) throws -> (status: Int32, output: String) {
        try forecastd(["run", "--model", folder, "--init", folder + "/init.nc", "--forcing", folder + "/forcing.nc", "--days", "2",
                       "--out", out, "--threads", "1"] + extra, path: path)
    }

    /// The output's global attribute `name`.
    static func attribute(_ path: String, _ name: String) throws -> String? {
        try NetCDFFile.open(path).root.attributes()[name]?.text
    }

    static func declare(_ folder: String, _ precision: String) throws {
        let path = folder + "/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        config["precision"] = precision
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
    }

    @Test("bf16 where the instruction path lacks it (FORECASTD_ISA=x86-64): exit 69 naming AVX512-BF16, nothing written; auto there is fp32")
    func refusedWithoutBF16() throws {
        let folder = try HostileInputTests.copy(), out = folder + "/out.nc"
        let refused = try Self.run(folder, out: out, path: .baseline, extra: ["--precision", "bf16"])
        #expect(refused.status == 69 && refused.output.contains("AVX512-BF16"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.contains("out") })
        let auto = try Self.run(folder, out: out, path: .baseline, extra: ["--precision", "auto"])
        #expect(auto.status == 0, "\(auto.output)")
        #expect(auto.output.contains("network precision fp32 (auto on instruction path x86-64)"), "\(auto.output)")
        #expect(try Self.attribute(out, "forecastd_precision") == "fp32")
        #expect(try Self.attribute(out, "forecastd_instruction_path") == "x86-64")
    }

    @Test("config.json's precision: an unknown one is exit 78 naming the key; a declared bf16 is used, refused without bf16, and the command line wins")
    func declared() throws {
        let unknown = try HostileInputTests.copy()
        try Self.declare(unknown, "fp8")
        let r = try Self.run(unknown, out: unknown + "/out.nc")
        #expect(r.status == 78 && r.output.contains("config.json") && r.output.contains("precision") && r.output.contains("fp8"), "\(r.output)")

        let folder = try HostileInputTests.copy(), out = folder + "/out.nc"
        try Self.declare(folder, "bf16")
        let refused = try Self.run(folder, out: out, path: .baseline)
        #expect(refused.status == 69 && refused.output.contains("AVX512-BF16"), "\(refused.output)")
        let overridden = try Self.run(folder, out: out, path: .baseline, extra: ["--precision", "fp32"])
        #expect(overridden.status == 0 && overridden.output.contains("network precision fp32 (asked for)"), "\(overridden.output)")
        let info = try Self.forecastd(["model-info", folder, "--no-measure"], path: .baseline)
        #expect(info.status == 69, "model-info of a bf16 model on a path without bf16: \(info.output)")
        guard ProcessorCapabilities.taken >= .avx512bf16 else {
            print("skipped the bf16 half: the instruction path \(ProcessorCapabilities.taken) has no bf16 dot products")
            return
        }
        let used = try Self.run(folder, out: out)
        #expect(used.status == 0 && used.output.contains("network precision bf16 (declared by config.json)"), "\(used.output)")
        #expect(try Self.attribute(out, "forecastd_precision") == "bf16")
        #expect(try Self.attribute(out, "forecastd_instruction_path") == ProcessorCapabilities.taken.description)
        let shown = try Self.forecastd(["model-info", folder, "--no-measure"])
        #expect(shown.output.contains("precision: bf16 (declared by config.json)"), "\(shown.output)")
    }

    @Test("model-info shows the precision and why; batch refuses bf16 before any forecast when the path lacks it")
    func reportsAndBatch() throws {
        let folder = try HostileInputTests.copy()
        let info = try Self.forecastd(["model-info", folder, "--no-measure"])
        #expect(info.status == 0 && info.output.contains("precision: fp32 (the default)") && info.output.contains("instruction path"), "\(info.output)")
        let manifest = folder + "/manifest.txt"
        try "init=\(folder)/init.nc forcing=\(folder)/forcing.nc name=one\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        let batch = try Self.forecastd(["batch", "--manifest", manifest, "--model", folder, "--out-dir", folder + "/outputs",
                                        "--days", "2", "--precision", "bf16", "--threads", "1"], path: .baseline)
        #expect(batch.status == 69 && batch.output.contains("AVX512-BF16"), "\(batch.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/outputs/one.nc"))
    }
}
