import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("Regression against the committed reference grid",
       .enabled(if: ForecastFixtures.available, "needs python3 with numpy, safetensors, netCDF4, ml_dtypes"))
struct RegressionTests {
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/forecast-reference.nc").path

    /// The sample forecast (a random-weight model folder and a generated case, both from fixed seeds; the
    /// trained weights-sample replaces them once it exists) against its reference grid, made by
    /// scripts/update-reference-grid.sh. Tolerance: rtol 1e-4 and atol 1e-5 per cell, NaN masks identical:
    /// room for another CPU's rounding (AVX2 against AVX-512 kernels) over 15 autoregressive days, far below
    /// any change of the physics, the network or the I/O.
    @Test("15-day sample forecast within rtol 1e-4 / atol 1e-5 of the reference grid")
    func sampleForecast() throws {
        let inputs = try ForecastFixtures.inputs()
        var request = ForecastRequest(model: try ForecastFixtures.model.get(), initial: inputs + "/init.nc",
                                      forcing: inputs + "/forcing.nc", output: inputs + "/forecast.nc")
        request.days = 15
        _ = try ForecastJob.run(request, pool: ThreadPool(threads: 2))
        let report = try ForecastComparison.compare(reference: Self.reference, candidate: request.output,
                                                    tolerance: ComparisonTolerance(rtol: 1e-4, atol: 1e-5))
        let outside = report.fields.filter { !$0.withinTolerance }
        #expect(report.fields.count == 15 * (4 * 3 + 1))
        #expect(!report.regression, "\(outside.count) fields outside tolerance, first: \(String(describing: outside.first))")
    }
}
