import ArgumentParser
import Foundation
import OceanModel

/// `forecastd simulate`: the baseline numerical ocean model. So far: its validation cases.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the numerical ocean model's validation cases (the full 3-D stepper is being built).",
        discussion: """
            Cases: williamson2 (Williamson et al. 1992 test case 2 on the sphere with walls at +-80 degrees: the \
            shallow-water core's l2 and l-infinity errors of h after 5 days). JSON keys: resolutionDegrees, days, \
            steps, timeStep, l2, linf.
            """
    )

    @Option(help: "Validation case: williamson2.")
    var `case`: String

    @Option(help: "Grid spacing in degrees.")
    var resolutionDeg = 4.0

    @Option(help: "Simulated days.")
    var days = 5.0

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard `case` == "williamson2" else { throw ValidationError("--case: known cases are williamson2; got '\(`case`)'") }
        guard resolutionDeg > 0, resolutionDeg <= 20, (160 / resolutionDeg).rounded() == 160 / resolutionDeg else {
            throw ValidationError("--resolution-deg must divide 160 (walls at +-80 degrees), e.g. 4, 2, 1; got \(resolutionDeg)")
        }
        guard days > 0 else { throw ValidationError("--days must be positive") }
    }

    func run() throws {
        let result = Williamson2.run(resolution: resolutionDeg, days: days)
        if json {
            print(result.json())
        } else {
            print(String(format: "williamson2 at %g degrees, %g days (%d steps of %.1f s): l2(h) %.3e, linf(h) %.3e",
                         result.resolutionDegrees, result.days, result.steps, result.timeStep, result.l2, result.linf))
        }
    }
}

extension Williamson2.Result: JSONReport {}
