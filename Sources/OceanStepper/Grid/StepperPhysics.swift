import OceanGrid

/// The physical constants and mixing coefficients of a run, with the defaults filled in (SI units).
public struct StepperPhysics: Sendable, Equatable {
    public var gravity = 9.81, rho0 = 1027.0, heatCapacity = 3992.0
    public var alpha = 2e-4, beta = 7.6e-4, t0 = 10.0, s0 = 35.0, cabbeling = 0.0
    public var viscosity = 2000.0, diffusivity = 500.0, verticalViscosity = 1e-3, verticalDiffusivity = 1e-5
    public var convectiveDiffusivity = 10.0
    public var bottomDrag = 1e-3, noSlip = true
    public var salinityRestoringDays = 0.0, speedLimit = 10.0, expectedMaxSpeed = 2.0

    public init(_ p: StepperConfiguration.Physics? = nil) {
        guard let p else { return }
        gravity = p.gravity ?? gravity
        rho0 = p.rho0 ?? rho0
        heatCapacity = p.heatCapacity ?? heatCapacity
        alpha = p.alpha ?? alpha
        beta = p.beta ?? beta
        t0 = p.t0 ?? t0
        s0 = p.s0 ?? s0
        cabbeling = p.cabbeling ?? cabbeling
        viscosity = p.viscosity ?? viscosity
        diffusivity = p.diffusivity ?? diffusivity
        verticalViscosity = p.verticalViscosity ?? verticalViscosity
        verticalDiffusivity = p.verticalDiffusivity ?? verticalDiffusivity
        convectiveDiffusivity = p.convectiveDiffusivity ?? convectiveDiffusivity
        bottomDrag = p.bottomDrag ?? bottomDrag
        noSlip = p.noSlip ?? noSlip
        salinityRestoringDays = p.salinityRestoringDays ?? salinityRestoringDays
        speedLimit = p.speedLimit ?? speedLimit
        expectedMaxSpeed = p.expectedMaxSpeed ?? expectedMaxSpeed
    }
}
