import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("forecastd model-info", .enabled(if: Scratch.forecastd != nil && ModelFixtures.available,
                                        "needs the forecastd binary and the Python fixtures"))
struct ModelInfoCommandTests {
    @Test("Reports the architecture, parameters, FLOPs and measured memory of a model folder")
    func report() throws {
        let folder = try ModelFixtures.folder("w7-p8-stages-f16")
        let result = try #require(Scratch.run(Scratch.forecastd!, ["model-info", folder, "--json", "--threads", "1"]))
        try #require(result.status == 0, "\(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let model = try Surrogate(folder: folder)
        let cost = SurrogateCost(model.configuration, height: 100, width: 230)
        #expect(json["parameters"] as? Int == model.parameterCount)
        #expect(json["paddedGrid"] as? [Int] == [224, 448])
        #expect(abs((json["gflopsPerStep"] as? Double ?? 0) - cost.flops / 1e9) < 1e-9)
        #expect((json["activationBytes"] as? Int ?? 0) > 0)
        let text = try #require(Scratch.run(Scratch.forecastd!, ["model-info", folder, "--grid", "50x60", "--no-measure"]))
        #expect(text.status == 0 && text.output.contains("grid 50x60, padded to 224x224"), "\(text.output)")
    }

    @Test("model-info shows the instruction path; FORECASTD_ISA lowers it, and one above the processor exits 78 before any work")
    func instructionPath() throws {
        let sample = Scratch.repository + "/weights-sample"
        let shown = try #require(Scratch.run("env", ["FORECASTD_ISA=x86-64", Scratch.forecastd!, "model-info", sample, "--no-measure"]))
        #expect(shown.status == 0 && shown.output.contains("instruction path x86-64 (highest "), "\(shown.output)")
        let refused = try #require(Scratch.run("env", ["FORECASTD_ISA=amx-9000", Scratch.forecastd!, "model-info", sample]))
        #expect(refused.status == 78 && refused.output.contains("FORECASTD_ISA='amx-9000' is not one of"), "\(refused.output)")
        if ProcessorCapabilities.current.highest < .amx {
            let above = try #require(Scratch.run("env", ["FORECASTD_ISA=amx", Scratch.forecastd!, "model-info", sample]))
            #expect(above.status == 78 && above.output.contains("which this processor lacks"), "\(above.output)")
        } else {
            print("FORECASTD_ISA above the processor not tried: this processor has every path up to AMX")
        }
    }

    @Test("A missing folder exits 66; weights that do not match the config exit 78 and list the tensors")
    func failures() throws {
        let missing = try #require(Scratch.run(Scratch.forecastd!, ["model-info", "/nonexistent/model"]))
        #expect(missing.status == 66 && missing.output.contains("/nonexistent/model/config.json"), "\(missing.output)")
        let folder = try SurrogateWeightsTests.damagedFolder { $0.entries.removeAll { $0.name == "head.weight" } }
        let mismatch = try #require(Scratch.run(Scratch.forecastd!, ["model-info", folder]))
        #expect(mismatch.status == 78 && mismatch.output.contains("missing (1): head.weight"), "\(mismatch.output)")
    }
}
