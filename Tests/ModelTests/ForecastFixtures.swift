import Foundation
import TestSupport

/// A random-weight forecast model folder and CMEMS/ERA5-style input files on its grid, made by
/// tools/reference/make_models.py --config forecast and tools/reference/make_forecast_case.py.
enum ForecastFixtures {
    static let available = Scratch.python(has: ["numpy", "safetensors", "netCDF4", "ml_dtypes"])

    /// The model folder, made once per test run.
    static let model: Result<String, FixtureError> = {
        do {
            let root = try Scratch.folder("forecast-model")
            try python("reference/make_models.py", [root, "--config", "forecast"])
            return .success(root + "/forecast")
        } catch let error as FixtureError { return .failure(error) } catch { return .failure(FixtureError(detail: "\(error)")) }
    }()

    /// A new folder with init.nc and forcing.nc for the model; `options` go to make_forecast_case.py.
    static func inputs(_ options: [String] = []) throws -> String {
        let folder = try Scratch.folder("forecast-case")
        try python("reference/make_forecast_case.py", [try model.get(), folder] + options)
        return folder
    }

    static func python(_ script: String, _ arguments: [String]) throws {
        guard let result = Scratch.run("python3", [Scratch.tools + "/" + script] + arguments), result.status == 0 else {
            throw FixtureError(detail: "python3 \(script) \(arguments.joined(separator: " ")) failed")
        }
    }
}
