import OceanGrid
import OceanStepper
import Surrogate
import Testing

@Suite("Model depth levels matched to a file's")
struct LevelMatchingTests {
    @Test("Exact levels are taken as they are; others are interpolated between the bracketing depths and noted")
    func matching() throws {
        var notes: [String] = []
        let sources = try InitialState.levelSources([0.494, 5.0, 47.37], [47.3701, 0.494, 2.0, 10.0], path: "f.nc",
                                                    variable: "thetao", notes: &notes)
        #expect(sources == [InitialState.LevelSource(lower: 1, upper: 1, weight: 0), InitialState.LevelSource(lower: 2, upper: 3, weight: 0.375),
                            InitialState.LevelSource(lower: 0, upper: 0, weight: 0)])
        #expect(notes == ["thetao: model level 5.0 m interpolated linearly between file depths 2.0 m and 10.0 m"])
    }

    @Test("A level outside the file's depths is an error naming both")
    func outside() {
        var notes: [String] = []
        #expect(throws: ForecastError.inputData(path: "f.nc", variable: "so", detail: "has no depths around the model's level 600.0 m (file depths 0.5, 100.0 m)")) {
            _ = try InitialState.levelSources([0.5, 600], [0.5, 100], path: "f.nc", variable: "so", notes: &notes)
        }
    }
}
