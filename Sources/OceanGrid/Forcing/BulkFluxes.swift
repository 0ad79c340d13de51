import NetCDF
import CBulkFluxes
import Tensor

/// One day of the atmosphere over the ocean grid, as the forcing file gives it (daily means, SI units): 10 m
/// wind, mean sea-level pressure, 2 m temperature and dew point, net shortwave, downward longwave and
/// precipitation rate. Every field holds one value per ocean grid cell, in the same order.
public struct AtmosphereDay: Sendable {
    public var u10: Tensor, v10: Tensor, msl: Tensor, t2m: Tensor, d2m: Tensor, ssr: Tensor, strd: Tensor, mtpr: Tensor

    public init(u10: Tensor, v10: Tensor, msl: Tensor, t2m: Tensor, d2m: Tensor, ssr: Tensor, strd: Tensor, mtpr: Tensor) {
        (self.u10, self.v10, self.msl, self.t2m, self.d2m) = (u10, v10, msl, t2m, d2m)
        (self.ssr, self.strd, self.mtpr) = (ssr, strd, mtpr)
    }

    /// A day of zeros over `cells` cells, to read into.
    public static func zeros(cells: Int) -> AtmosphereDay {
        AtmosphereDay(u10: Tensor(zeros: [cells]), v10: Tensor(zeros: [cells]), msl: Tensor(zeros: [cells]), t2m: Tensor(zeros: [cells]),
                      d2m: Tensor(zeros: [cells]), ssr: Tensor(zeros: [cells]), strd: Tensor(zeros: [cells]), mtpr: Tensor(zeros: [cells]))
    }

    /// The fields in the order of WenHai's atmospheric inputs.
    public var fields: [Tensor] { [u10, v10, msl, t2m, d2m, ssr, strd, mtpr] }
    /// Their names, in the same order.
    public static let names = ["u10", "v10", "msl", "t2m", "d2m", "ssr", "strd", "mtpr"]
}

/// Air-sea fluxes by the NCAR bulk formulae (Large & Yeager 2004, 2009) in the form of AeroBulk's `noskin` NCAR
/// algorithm: the wind relative to the ocean surface current, air temperature and humidity at 2 m adjusted to
/// 10 m, bulk SST, five iterations of the Monin-Obukhov stability functions. Recomputed every forecast day from
/// the predicted SST and surface currents. Vectorised C (CBulkFluxes) over chunks spread on the thread pool.
public enum BulkFluxes {
    /// The flux channels in the network's order: net longwave, net shortwave, sensible and latent heat (W/m2,
    /// positive into the ocean), wind stress (N/m2), evaporation and precipitation (kg m-2 s-1).
    public static let channels = ["ql", "ssr", "qh", "qe", "taux", "tauy", "evap", "mtpr"]

    /// Cells one task handles.
    static let grain = 4096

    /// The flux recipe a model was trained with: the same formulae, with the details that differ between
    /// pipelines. A model must be fed the fluxes it learnt from, so its folder names its recipe.
    public enum Recipe: String, Sendable, CaseIterable {
        /// forecastd's own (its models and the stepper): 5 iterations, specific humidity from the dew point by
        /// Goff (1957), net longwave with sea-water emissivity 0.98, evaporation and precipitation in
        /// kg m-2 s-1, evaporation positive out of the ocean.
        case forecastd
        /// What WenHai's published pipeline feeds its network: 4 iterations, humidity as MetPy computes it,
        /// net longwave strd - sigma SST^4, evaporation and precipitation in m/s, evaporation negative when the
        /// ocean loses water (AeroBulk's sign).
        case wenhai

        /// Whether every channel is zero on land once normalised, the shortwave and precipitation that pass
        /// through from the atmosphere included (WenHai multiplies its fluxes by the surface mask); forecastd's
        /// own models were trained with those two channels over land as the atmosphere gives them.
        public var zeroOnLand: Bool { self == .wenhai }
    }

    /// fluxes[channel, cell] from the SST (degC), the surface currents (m/s) and one atmospheric day, each with
    /// one value per cell; `fluxes` is `[8, cells]` (any shape whose last dimensions hold the cells works, as
    /// long as it is contiguous with 8 x cells elements). NaN in (land) gives NaN out.
    public static func compute(sst: Tensor, us: Tensor, vs: Tensor, atmosphere a: AtmosphereDay, into fluxes: Tensor,
                               recipe: Recipe = .forecastd, pool: ThreadPool = .shared) {
        let cells = sst.count
        let inputs = [sst, us, vs, a.u10, a.v10, a.msl, a.t2m, a.d2m, a.ssr, a.strd, a.mtpr]
        precondition(inputs.allSatisfy { $0.count == cells && $0.isContiguous }, "bulk fluxes: every field needs \(cells) contiguous values")
        precondition(fluxes.count == channels.count * cells && fluxes.isContiguous, "bulk fluxes: output of \(fluxes.shape) for \(cells) cells")
        let inputPointers = inputs.map { UnsafePointer($0.pointer) }
        let outputBase = fluxes.pointer
        let kernel = switch recipe {
        case .forecastd: fd_bulk_ncar
        case .wenhai: fd_bulk_wenhai
        }
        pool.parallelRanges(cells, grain: grain) { range in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: inputPointers.count) { ins in
                withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>?.self, capacity: channels.count) { outs in
                    for (i, p) in inputPointers.enumerated() { ins[i] = p + range.lowerBound }
                    for c in 0..<channels.count { outs[c] = outputBase + c * cells + range.lowerBound }
                    kernel(ins.baseAddress, outs.baseAddress, range.count)
                }
            }
        }
    }
}
