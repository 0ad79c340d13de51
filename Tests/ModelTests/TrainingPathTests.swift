import Foundation
import TestSupport
import Testing

/// The training path end to end (training/smoke.sh): stepper data, a few JAX training steps, export, and
/// forecastd's forecast against the training framework's own rollout on the same inputs.
@Suite("Training path", .serialized, .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
struct TrainingPathTests {
    static let modules = ["jax", "optax", "xarray", "netCDF4", "safetensors"]

    @Test("The JAX network matches the numpy reference; train.py --smoke exports a model folder whose forecastd forecast matches the JAX rollout within 1e-3")
    func smoke() throws {
        guard Scratch.python(has: Self.modules) else {
            print("skipped: Python lacks \(Self.modules.joined(separator: ", ")) (scripts/install-dependencies.sh --test installs them)")
            return
        }
        let folder = try Scratch.folder()
        let result = try #require(Scratch.run("bash", [Scratch.repository + "/training/smoke.sh", folder]))
        #expect(result.status == 0, "\(result.output.suffix(2000))")
        let architecture = result.output.split(separator: "\n").filter { $0.hasPrefix("architecture ") }
        #expect(architecture.count == 2, "the JAX network checked against the numpy reference: \(architecture)")
        let lines = result.output.split(separator: "\n").filter { $0.hasPrefix("compare ") }
        #expect(lines.count == 5 && lines.allSatisfy { $0.hasSuffix(" ok") }, "\(lines)")
        for file in ["config.json", "model.safetensors", "normalization.safetensors", "mask.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/train/model/" + file), "\(file) exported")
        }
    }

    @Test("weights-sample: forecastd's 15-day forecast reproduces the JAX rollout of the same folder within 1e-3")
    func weightsSample() throws {
        let sample = Scratch.repository + "/weights-sample"
        try #require(FileManager.default.fileExists(atPath: sample + "/config.json"), "weights-sample/ is part of the repository")
        guard Scratch.python(has: Self.modules) else {
            print("skipped: Python lacks \(Self.modules.joined(separator: ", ")) (scripts/install-dependencies.sh --test installs them)")
            return
        }
        let folder = try Scratch.folder()
        let (initial, forcing) = (sample + "/data/init.nc", sample + "/data/forcing.nc")
        let jax = try #require(Scratch.run("python3", [Scratch.repository + "/training/rollout.py", sample, initial, forcing, "15",
                                                      folder + "/jax.nc"]))
        try #require(jax.status == 0, "\(jax.output.suffix(2000))")
        let run = try #require(Scratch.run(Scratch.forecastd!, ["run", "--model", sample, "--init", initial, "--forcing", forcing,
                                                                "--days", "15", "--out", folder + "/forecastd.nc"]))
        try #require(run.status == 0, "\(run.output.suffix(2000))")
        let compare = try #require(Scratch.run("python3", [Scratch.repository + "/training/compare_rollouts.py",
                                                          folder + "/forecastd.nc", folder + "/jax.nc", "1e-3"]))
        #expect(compare.status == 0, "\(compare.output)")
        #expect(compare.output.split(separator: "\n").filter { $0.hasSuffix(" ok") }.count == 5, "\(compare.output)")
    }
}
