import OceanGrid
import Dispatch

/// Where a forward pass spends its time: wall-clock seconds per part of the network, accumulated over passes.
/// A handful of clock reads per pass into a fixed table, so profiling is always on and allocates nothing.
public struct SurrogateProfile: Sendable {
    /// The timed parts, in network order (``SurrogateCost`` counts the same parts' FLOPs).
    public enum Part: String, CaseIterable, Sendable {
        case patchEmbedding = "patch embedding"
        case downBlocks = "down blocks"
        case swinStages = "Swin stages"
        case upBlock = "up block"
        case outputHead = "output head"

        var index: Int {
            switch self {
            case .patchEmbedding: 0
            case .downBlocks: 1
            case .swinStages: 2
            case .upBlock: 3
            case .outputHead: 4
            }
        }

        /// The ``SurrogateCost`` parts this timed part covers.
        public var costParts: [String] {
            self == .swinStages ? ["Swin linear layers", "window attention", "patch merging and expanding"] : [rawValue]
        }
    }

    private var table = [Double](repeating: 0, count: Part.allCases.count)
    /// Forward passes timed.
    public internal(set) var passes = 0

    /// Seconds per part.
    public var seconds: [Part: Double] {
        Dictionary(uniqueKeysWithValues: Part.allCases.map { ($0, table[$0.index]) })
    }

    func start() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    mutating func record(_ part: Part, since clock: inout UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        table[part.index] += Double(now - clock) / 1e9
        clock = now
    }
}
