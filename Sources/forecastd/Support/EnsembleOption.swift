import ArgumentParser
import Surrogate

/// The ensemble flags of `run` and `batch`: how many members, how they are set apart, and the statistics files.
struct EnsembleOption: ParsableArguments {
    @Option(help: "Members of an ensemble forecast, advanced together in one batched network pass a day (1: a deterministic forecast). Files OUT_member01.nc ...")
    var members = 1

    @Option(help: "How members are set apart: gaussian (spatially correlated noise scaled per channel by the model's daily change), bred (that noise grown by the model over two 2-day breeding cycles), lagged (member k the model's forecast from the init file's state k days before --start) or forcing (none: members set apart by the forcing file's own members alone). A forcing file with members (a number or realization dimension) forces member k by its member k, whatever the perturbation, and needs --members equal to its count.")
    var perturbation: Perturbation = .gaussian

    @Option(help: "Seed of the perturbations: the same seed and threads give the same members, bit for bit.")
    var seed: UInt64 = 1

    @Option(help: "Size of the perturbations, in units of the RMS of the model's first daily change, channel by channel: X for every variable or VARIABLE=X (repeatable; default 1).")
    var perturbationScale: [String] = []

    @Flag(help: "Also write the ensemble mean (OUT_mean.nc) and spread, the standard deviation over members (OUT_spread.nc).")
    var ensembleStatistics = false

    /// The options these flags ask for.
    func options() throws -> EnsembleOptions {
        var options = EnsembleOptions()
        try withFlags { try options.setAmplitudes(entries: perturbationScale) }
        options.members = members
        options.perturbation = perturbation
        options.seed = seed
        options.statistics = ensembleStatistics
        return options
    }
}
