import OceanGrid
import CStepper
import Foundation
import Tensor

/// The precision a stepper runs in: Float32 by default, Float64 for validation.
public enum StepperPrecision: String, Sendable, CaseIterable {
    case float32, float64

    var bytes: Int { self == .float32 ? 4 : 8 }
}

/// The stepper's prognostic fields, as ``OceanStepper/read(_:)`` and ``OceanStepper/write(_:_:)`` name them.
public enum StepperField: String, Sendable, CaseIterable {
    case u, v, t, s, eta, ubt, vbt, gu0, gu1, gu2, gv0, gv1, gv2, sssReference
    /// Vertical velocity at the top of each cell, from the last step (the next step's vertical advection).
    case w
    /// Surface forcing at T points.
    case taux, tauy, qnet, freshwater

    /// Levels of the field: the 3-D ones have one per model level.
    func levels(_ nz: Int) -> Int { [.u, .v, .t, .s, .w, .gu0, .gu1, .gu2, .gv0, .gv1, .gv2].contains(self) ? nz : 1 }
}

/// The baseline numerical ocean: hydrostatic Boussinesq primitive equations on z-levels (C-grid), a linear free
/// surface with a split-explicit barotropic mode (forward-backward substeps, averaged transports), AB3 for the
/// slow momentum tendencies, forward-in-time limited tracer advection with the same transports as continuity,
/// implicit vertical mixing with convective adjustment and quadratic bottom drag (CStepper.h has the discrete
/// forms). One step runs each kernel phase over rows spread on the thread pool.
///
/// `@unchecked Sendable`: a stepper is driven by one caller at a time; inside a step the rows of a phase are
/// disjoint and phases are separated by the pool's barrier.
public final class OceanStepper: @unchecked Sendable {
    public let grid: StepperGrid
    public let physics: StepperPhysics
    public let precision: StepperPrecision
    /// Baroclinic step and the number of barotropic substeps in it.
    public let timeStep: Double, substeps: Int
    /// Steps taken.
    public private(set) var steps = 0
    /// Momentum tendencies the Adams-Bashforth history holds (0 ... 3).
    private(set) var history = 0
    private let model: UnsafeMutablePointer<fd_ocean>
    private var allocations: [UnsafeMutableRawPointer] = []
    private let pool: ThreadPool
    /// Sums of the output fields since the last ``takeMean()``: thetao, so, uo, vo ([nz][ny][nx]), zos.
    private let sums: [UnsafeMutableBufferPointer<Double>]
    private var summedSteps = 0
    /// Interior masks of T, u and v points, [nz][ny][nx], read once after set-up.
    public private(set) var wetCells: [Double] = []
    private var uMask: [Double] = [], vMask: [Double] = []

    public init(grid: StepperGrid, physics: StepperPhysics, timeStep: Double, barotropicCourant: Double = 0.7,
                precision: StepperPrecision = .float32, pool: ThreadPool = .shared) {
        self.grid = grid
        self.physics = physics
        self.precision = precision
        self.timeStep = timeStep
        self.pool = pool
        let deepest = grid.depth.max()!
        let wave = (physics.gravity * deepest).squareRoot()
        let limit = barotropicCourant / (wave * (1 / (grid.narrowestSpacing * grid.narrowestSpacing) + 1 / (grid.dy * grid.dy)).squareRoot())
        substeps = max(1, Int((timeStep / limit).rounded(.up)))
        model = .allocate(capacity: 1)
        model.initialize(to: fd_ocean())
        sums = (0..<5).map { n in
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: n < 4 ? grid.nz * grid.ny * grid.nx : grid.ny * grid.nx)
            b.initialize(repeating: 0)
            return b
        }
        setUp()
        wetCells = interiorMask(model.pointee.tmask)
        uMask = interiorMask(model.pointee.umask)
        vMask = interiorMask(model.pointee.vmask)
    }

    deinit {
        for a in allocations { a.deallocate() }
        for s in sums { s.deallocate() }
        model.deallocate()
    }

    // MARK: Memory

    /// A zeroed array of `count` elements of the run's precision; `origin` elements in is where the kernels
    /// point (the interior's first cell).
    private func buffer(_ count: Int, origin: Int) -> UnsafeMutableRawPointer {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * precision.bytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: count * precision.bytes)
        allocations.append(raw)
        return raw + origin * precision.bytes
    }

    private func field3D() -> UnsafeMutableRawPointer { buffer(grid.nz * grid.paddedPlane, origin: 2 * grid.paddedRow + 2) }
    private func field2D() -> UnsafeMutableRawPointer { buffer(grid.paddedPlane, origin: 2 * grid.paddedRow + 2) }

    /// Stores `values` (every element, halos included) into an array made by `buffer` at `origin`.
    private func fill(_ values: [Double], origin: Int) -> UnsafeMutableRawPointer {
        let p = buffer(values.count, origin: origin)
        let base = p - origin * precision.bytes
        for (n, x) in values.enumerated() {
            if precision == .float32 { base.storeBytes(of: Float(x), toByteOffset: n * 4, as: Float.self) }
            else { base.storeBytes(of: x, toByteOffset: n * 8, as: Double.self) }
        }
        return p
    }

    private func setUp() {
        let g = grid, p = physics, row = g.paddedRow, plane = g.paddedPlane, origin = 2 * row + 2
        var m = fd_ocean()
        m.precision = Int32(precision.bytes)
        (m.nx, m.ny, m.nz) = (Int32(g.nx), Int32(g.ny), Int32(g.nz))
        (m.sy, m.sz) = (row, plane)
        m.periodic = g.periodic ? 1 : 0
        m.dx = fill(g.dx, origin: 2)
        m.dxn = fill(g.dxNorth, origin: 2)
        m.area = fill(g.area, origin: 2)
        m.area_z = fill(g.cornerArea, origin: 2)
        m.f_z = fill(g.coriolis, origin: 2)
        m.dz = fill(g.thickness, origin: 0)
        var centreDistances = [Double](repeating: 0, count: g.nz)
        for k in 1..<max(g.nz, 1) { centreDistances[k] = 2 / (g.thickness[k - 1] + g.thickness[k]) }
        m.rdzw = fill(centreDistances, origin: 0)
        m.dy = g.dy
        // Masks: u on the east face needs both neighbours wet, v on the north face too.
        let tmask = g.tracerMask()
        var umask = [Double](repeating: 0, count: tmask.count), vmask = umask
        for k in 0..<g.nz {
            for j in 0..<(g.ny + 4) {
                for i in 0..<row {
                    let c = k * plane + j * row + i
                    if i + 1 < row { umask[c] = tmask[c] * tmask[c + 1] }
                    if j + 1 < g.ny + 4 { vmask[c] = tmask[c] * tmask[c + row] }
                }
            }
        }
        func column(_ mask: [Double]) -> (depth: [Double], reciprocal: [Double]) {
            var h = [Double](repeating: 0, count: plane)
            for k in 0..<g.nz { for c in 0..<plane { h[c] += mask[k * plane + c] * g.thickness[k] } }
            return (h, h.map { $0 > 0 ? 1 / $0 : 0 })
        }
        let (hu, rhu) = column(umask), (hv, rhv) = column(vmask)
        m.tmask = fill(tmask, origin: origin)
        m.umask = fill(umask, origin: origin)
        m.vmask = fill(vmask, origin: origin)
        m.hu = fill(hu, origin: origin)
        m.hv = fill(hv, origin: origin)
        m.rhu = fill(rhu, origin: origin)
        m.rhv = fill(rhv, origin: origin)
        for keyPath: WritableKeyPath<fd_ocean, UnsafeMutableRawPointer?> in [\.u, \.v, \.t, \.s, \.ua, \.va, \.w, \.rho, \.phi,
                                                                           \.zeta, \.zeta_v, \.div, \.ke, \.tn, \.sn] {
            m[keyPath: keyPath] = field3D()
        }
        m.gu = (field3D(), field3D(), field3D())
        m.gv = (field3D(), field3D(), field3D())
        for keyPath: WritableKeyPath<fd_ocean, UnsafeMutableRawPointer?> in [\.eta, \.ubt, \.vbt, \.eta_old, \.fu, \.fv, \.ubt_sum,
                                                                           \.vbt_sum, \.eta_sub, \.taux, \.tauy, \.qnet, \.fw, \.sss_ref] {
            m[keyPath: keyPath] = field2D()
        }
        m.dt = timeStep
        (m.g, m.rho0, m.cp) = (p.gravity, p.rho0, p.heatCapacity)
        (m.alpha, m.beta, m.t0, m.s0, m.cabbeling) = (p.alpha, p.beta, p.t0, p.s0, p.cabbeling)
        (m.ah, m.kh, m.av, m.kv, m.kconv) = (p.viscosity, p.diffusivity, p.verticalViscosity, p.verticalDiffusivity, p.convectiveDiffusivity)
        m.cd = p.bottomDrag
        m.noslip = p.noSlip ? 2 : 0
        m.salt_ref = p.s0
        m.restore_rate = p.salinityRestoringDays > 0 ? 1 / (p.salinityRestoringDays * 86_400) : 0
        model.pointee = m
    }

    // MARK: Fields

    private func pointer(_ field: StepperField) -> UnsafeMutableRawPointer {
        let m = model.pointee
        let p: UnsafeMutableRawPointer? = switch field {
        case .u: m.u
        case .v: m.v
        case .t: m.t
        case .s: m.s
        case .eta: m.eta
        case .ubt: m.ubt
        case .vbt: m.vbt
        case .gu0: m.gu.0
        case .gu1: m.gu.1
        case .gu2: m.gu.2
        case .gv0: m.gv.0
        case .gv1: m.gv.1
        case .gv2: m.gv.2
        case .sssReference: m.sss_ref
        case .w: m.w
        case .taux: m.taux
        case .tauy: m.tauy
        case .qnet: m.qnet
        case .freshwater: m.fw
        }
        return p!
    }

    /// The interior of `field`, [levels][ny][nx] (velocities on their faces); `surface` reads the top level only.
    public func read(_ field: StepperField, surface: Bool = false) -> [Double] {
        let levels = surface ? 1 : field.levels(grid.nz)
        var out = [Double](repeating: 0, count: levels * grid.ny * grid.nx)
        out.withUnsafeMutableBufferPointer { fd_oc_get(model, pointer(field), Int32(levels), $0.baseAddress) }
        return out
    }

    /// Sets the interior of `field` (and its periodic halos) from [levels][ny][nx] values; land is zeroed.
    public func write(_ field: StepperField, _ values: [Double]) {
        let levels = field.levels(grid.nz)
        precondition(values.count == levels * grid.ny * grid.nx, "\(field): \(values.count) values for \(levels) levels")
        let mask: [Double] = switch field {
        case .u, .gu0, .gu1, .gu2: uMask
        case .v, .gv0, .gv1, .gv2: vMask
        default: wetCells
        }
        let masked = zip(values, mask).map { $1 > 0 ? $0 : 0 }
        masked.withUnsafeBufferPointer { fd_oc_set(model, pointer(field), Int32(levels), $0.baseAddress) }
    }

    private func interiorMask(_ mask: UnsafeMutableRawPointer?) -> [Double] {
        var out = [Double](repeating: 0, count: grid.nz * grid.ny * grid.nx)
        out.withUnsafeMutableBufferPointer { fd_oc_get(model, mask, Int32(grid.nz), $0.baseAddress) }
        return out
    }

    /// Sets the barotropic velocities to the depth means of u and v (after u and v were written).
    public func resetBarotropicMode() {
        for (field, target, wet) in [(StepperField.u, StepperField.ubt, uMask), (.v, .vbt, vMask)] {
            let values = read(field), plane = grid.ny * grid.nx
            var mean = [Double](repeating: 0, count: plane)
            for c in 0..<plane {
                var sum = 0.0, depth = 0.0
                for k in 0..<grid.nz where wet[k * plane + c] > 0 {
                    sum += values[k * plane + c] * grid.thickness[k]
                    depth += grid.thickness[k]
                }
                mean[c] = depth > 0 ? sum / depth : 0
            }
            write(target, mean)
        }
    }

    /// Sets the step count and the Adams-Bashforth history depth (from a restart file).
    func restoreCounters(steps: Int, history: Int) {
        self.steps = steps
        self.history = min(max(history, 0), 3)
    }

    // MARK: Stepping

    /// Runs `body` over rows `range` in parallel chunks (the pool's barrier ends the phase).
    private func rows(_ range: Range<Int>, _ body: (UnsafeMutablePointer<fd_ocean>, Int32, Int32) -> Void) {
        let model = model, lower = range.lowerBound
        let grain = max(1, 8192 / max(1, grid.nx * grid.nz))
        pool.parallelRanges(range.count, grain: grain) { r in
            body(model, Int32(lower + r.lowerBound), Int32(lower + r.upperBound))
        }
    }

    /// Advances the ocean by one baroclinic step.
    public func step() {
        let ny = grid.ny
        model.pointee.gu = (model.pointee.gu.2, model.pointee.gu.0, model.pointee.gu.1)
        model.pointee.gv = (model.pointee.gv.2, model.pointee.gv.0, model.pointee.gv.1)
        let weights: (Double, Double, Double) = switch history {
        case 0: (1, 0, 0)
        case 1: (1.5, -0.5, 0)
        default: (23.0 / 12, -16.0 / 12, 5.0 / 12)
        }
        model.pointee.ab = weights
        rows(0..<ny) { fd_oc_density($0, $1, $2) }
        rows(-1..<(ny + 1)) { fd_oc_diagnostics($0, $1, $2) }
        rows(0..<ny) { fd_oc_tendencies($0, $1, $2) }
        rows(0..<ny) { fd_oc_momentum($0, $1, $2) }
        let dts = timeStep / Double(substeps)
        for n in 0..<substeps {
            rows(0..<ny) { fd_oc_barotropic_eta($0, $1, $2, dts) }
            // The Coriolis force couples u and v: the one updated second sees the other's new value.
            if n % 2 == 0 {
                rows(0..<ny) { fd_oc_barotropic_u($0, $1, $2, dts) }
                rows(0..<ny) { fd_oc_barotropic_v($0, $1, $2, dts) }
            } else {
                rows(0..<ny) { fd_oc_barotropic_v($0, $1, $2, dts) }
                rows(0..<ny) { fd_oc_barotropic_u($0, $1, $2, dts) }
            }
        }
        let substeps = Int32(substeps)
        rows(0..<ny) { fd_oc_velocity($0, $1, $2, substeps) }
        rows(0..<ny) { fd_oc_vertical_velocity($0, $1, $2) }
        rows(0..<ny) { fd_oc_tracers($0, $1, $2) }
        swap(&model.pointee.t, &model.pointee.tn)
        swap(&model.pointee.s, &model.pointee.sn)
        steps += 1
        history = min(history + 1, 3)
    }

    /// Adds the current state to the output sums.
    public func accumulate() {
        let s = sums.map { $0.baseAddress }
        rows(0..<grid.ny) { fd_oc_accumulate($0, $1, $2, s[0], s[1], s[2], s[3], s[4]) }
        summedSteps += 1
    }

    /// The means since the last call: thetao, so, uo, vo ([nz][ny][nx], velocities at T points) and zos
    /// ([ny][nx]), NaN on land; the sums restart from zero.
    public func takeMean() -> [OceanVariable: [Float]] {
        let wet = wetCells, plane = grid.ny * grid.nx, scale = 1 / Double(max(summedSteps, 1))
        var out: [OceanVariable: [Float]] = [:]
        for (n, variable) in [OceanVariable.thetao, .so, .uo, .vo, .zos].enumerated() {
            out[variable] = sums[n].indices.map { c in wet[c % (grid.nz * plane)] > 0 ? Float(sums[n][c] * scale) : .nan }
            sums[n].update(repeating: 0)
        }
        summedSteps = 0
        return out
    }

    /// The fastest current and the first non-finite tracer or surface, if any.
    public func check() -> (speed: Double, speedAt: (k: Int, j: Int, i: Int), nonFinite: (variable: String, k: Int, j: Int, i: Int)?) {
        var out = [Double](repeating: 0, count: 9)
        out.withUnsafeMutableBufferPointer { fd_oc_check(model, 0, Int32(grid.ny), $0.baseAddress) }
        let bad = out[4] > 0 ? (["thetao", "so", "zos"][Int(out[8])], Int(out[5]), Int(out[6]), Int(out[7])) : nil
        return (out[0], (Int(out[1]), Int(out[2]), Int(out[3])), bad)
    }
}
