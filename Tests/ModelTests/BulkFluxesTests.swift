import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("NCAR bulk fluxes against an independent float64 numpy implementation",
       .enabled(if: Scratch.python(has: ["numpy", "safetensors"]), "needs python3 with numpy and safetensors"))
struct BulkFluxesTests {
    @Test("100 000 random realistic cells (calm, storm, stable, unstable included): within 1e-4 of each channel's scale")
    func againstNumpy() throws {
        let folder = try Scratch.folder("bulk")
        let inputs = folder + "/inputs.safetensors", reference = folder + "/reference.safetensors"
        let script = Scratch.tools + "/reference/bulk_fluxes.py"
        for arguments in [["--make-inputs", "100000", inputs], [inputs, reference]] {
            let run = try #require(Scratch.run("python3", [script] + arguments))
            try #require(run.status == 0, "\(run.output)")
        }
        let file = try SafeTensorsFile(path: inputs), want = try SafeTensorsFile(path: reference)
        func field(_ name: String) throws -> Tensor { try file.tensor(name) }
        let atmosphere = AtmosphereDay(u10: try field("u10"), v10: try field("v10"), msl: try field("msl"),
                                       t2m: try field("t2m"), d2m: try field("d2m"), ssr: try field("ssr"),
                                       strd: try field("strd"), mtpr: try field("mtpr"))
        let sst = try field("sst"), cells = sst.count
        let fluxes = Tensor(zeros: [BulkFluxes.channels.count, cells])
        fluxes.fill(.nan)
        BulkFluxes.compute(sst: sst, us: try field("us"), vs: try field("vs"), atmosphere: atmosphere, into: fluxes,
                           pool: ThreadPool(threads: 2))
        for (c, name) in BulkFluxes.channels.enumerated() {
            let got = fluxes.slice(0, c..<(c + 1)).contiguous().toArray()
            let ref = try want.tensor(name).toArray().map(Double.init)
            let scale = ref.map(abs).max() ?? 0
            let diffs = zip(got, ref).map { abs(Double($0) - $1) }
            let worst = diffs.max() ?? .infinity, at = diffs.firstIndex(of: worst) ?? 0
            #expect(worst / scale <= 1e-4, "\(name): max |diff| \(worst) for a scale of \(scale) at cell \(at): \(got[at]) vs \(ref[at])")
        }
    }

    @Test("Land (NaN SST) gives NaN fluxes and leaves ocean cells alone")
    func land() {
        let n = 40
        func constant(_ v: Float) -> Tensor { Tensor(shape: [n], values: Array(repeating: v, count: n)) }
        let sst = constant(15)
        sst[7] = .nan
        let day = AtmosphereDay(u10: constant(8), v10: constant(-3), msl: constant(101_325), t2m: constant(287),
                                d2m: constant(283), ssr: constant(150), strd: constant(330), mtpr: constant(2e-5))
        let fluxes = Tensor(zeros: [8, n])
        BulkFluxes.compute(sst: sst, us: constant(0), vs: constant(0), atmosphere: day, into: fluxes, pool: ThreadPool(threads: 1))
        #expect(fluxes[2, 7].isNaN && fluxes[3, 7].isNaN && fluxes[0, 7].isNaN)
        // Ocean cell: cooler air over warmer water loses heat; the wind pushes the water along with it.
        #expect(fluxes[2, 0] < 0 && fluxes[3, 0] < 0 && fluxes[6, 0] > 0)
        #expect(fluxes[4, 0] > 0 && fluxes[5, 0] < 0)
        #expect(fluxes[4, 0] > 0.05 && fluxes[4, 0] < 0.2, "taux \(fluxes[4, 0]) N/m2 for an 8 m/s wind")
    }
}
