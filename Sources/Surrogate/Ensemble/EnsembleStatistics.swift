import OceanGrid
import Tensor

/// The ensemble mean and spread of a rollout's members, written as forecasts of their own.
extension Rollout {
    /// What an ensemble statistic file holds.
    public enum Statistic: String, Sendable {
        /// The mean over members.
        case mean
        /// The standard deviation over members (with N - 1), 0 for a single member.
        case spread
    }

    /// Copies `statistic` over the members of the physical state into `buffers` (no allocation), NaN on land.
    public func copy(_ statistic: Statistic, into buffers: OutputBuffers) {
        let p = physical.pointer, stride = channels * plane, members = members
        for variable in OceanVariable.allCases {
            let range = outputRange(variable), out = buffers.fields[variable.rawValue]!.pointer
            pool.parallelRanges(range.count, grain: 4096) { part in
                for i in part {
                    let cell = range.lowerBound + i
                    var sum = 0.0
                    for m in 0..<members { sum += Double(p[m * stride + cell]) }
                    let mean = sum / Double(members)
                    guard statistic == .spread else { out[i] = Float(mean); continue }
                    var squares = 0.0
                    for m in 0..<members { squares += (Double(p[m * stride + cell]) - mean) * (Double(p[m * stride + cell]) - mean) }
                    out[i] = members > 1 ? Float((squares / Double(members - 1)).squareRoot()) : (mean.isNaN ? .nan : 0)
                }
            }
        }
    }
}
