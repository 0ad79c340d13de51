import OceanGrid

/// What `forecastd simulate --config` runs.
public struct SimulationRequest: Sendable {
    public var configuration: String
    /// Initial state file (CMEMS-style, on the configuration's grid); without it the configuration's `initial`.
    public var initial: String?
    /// Atmosphere file for `bulk` forcing.
    public var forcing: String?
    /// The period the atmosphere file's accumulated fields sum over, when the file does not state it.
    public var accumulation: AccumulationPeriod?
    /// The initial state file's time to start from; needed when it holds several times.
    public var start: String?
    public var days: Int
    public var output: String
    public var precision: StepperPrecision = .float32
    /// Folder for restart files and the daily means up to them; a run finding its own restart there resumes.
    public var restartDirectory: String?

    public init(configuration: String, initial: String?, forcing: String?, days: Int, output: String) {
        (self.configuration, self.initial, self.forcing, self.days, self.output) = (configuration, initial, forcing, days, output)
    }
}
